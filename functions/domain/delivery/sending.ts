/**
 * Sending within each channel's quota, and what a provider's refusal means.
 *
 * Pacing: a channel's quota is per account and Region (SES maximum send rate in messages/s; SMS in
 * message parts/s of the origination identity; push shares the SNS publish budget). The SQS event
 * source of a deliver function runs at most `workers` invocations at a time (its maximum concurrency,
 * at least 2), and each invocation waits `unitsPerMessage × workers / perSecond` between sends, so the
 * workers together stay at the quota. What the quota does not cover (the provider answering slower,
 * a burst) shows as throttling: retried with backoff, then the message goes back to its queue.
 */
import type { NotifyChannel } from '../model.ts';
import { smsLength } from '../notices/sms.ts';
import { withoutContactDetails } from './receipts.ts';

export interface ChannelRate {
  /** The channel's quota: messages per second (e-mail, push) or message parts per second (SMS). */
  perSecond: number;
  /** At most this many units one message costs (an SMS is at most 2 parts). */
  maxUnitsPerMessage: number;
}

export interface PacingPlan {
  /** The SQS event source's maximum concurrency (2 to 1000). */
  workers: number;
  /** Messages per invocation: a batch takes about BATCH_SECONDS at the paced rate. */
  batchSize: number;
  /** The deliver function's timeout: the paced batch plus room for throttling retries. */
  timeoutSeconds: number;
}

/** A worker sends one message at a time; a provider call takes ~100 ms, so one worker does at most ~8/s. */
const PER_WORKER_CEILING = 8;
const BATCH_SECONDS = 20;
const RETRY_HEADROOM_SECONDS = 40;

const clamp = (n: number, low: number, high: number) => Math.min(high, Math.max(low, n));

/** How the stack runs a channel's deliver function for its quota. */
export const pacingPlan = (rate: ChannelRate): PacingPlan => {
  const perSecond = Math.max(rate.perSecond, 0.01);
  const workers = clamp(Math.ceil(perSecond / PER_WORKER_CEILING), 2, 1000);
  const perWorker = perSecond / workers;
  const batchSize = clamp(Math.floor((perWorker * BATCH_SECONDS) / rate.maxUnitsPerMessage), 1, 10);
  const timeoutSeconds = clamp(Math.ceil((batchSize * rate.maxUnitsPerMessage) / perWorker) + RETRY_HEADROOM_SECONDS, 30, 900);
  return { workers, batchSize, timeoutSeconds };
};

/** Milliseconds one worker waits after sending a message of `units`, so that `workers` together keep `perSecond`. */
export const paceMs = (units: number, rate: { perSecond: number; workers: number }): number =>
  Math.ceil((units * rate.workers * 1000) / Math.max(rate.perSecond, 0.01));

/** What one message costs against its channel's quota: SMS parts as carriers count them, else one. */
export const unitsOf = (channel: NotifyChannel, text: string): number => (channel === 'sms' ? smsLength(text).segments : 1);

export type SendErrorClass =
  /** Over the quota: wait and retry; never a failure of the notice. */
  | { kind: 'throttled' }
  /** The provider refused this notice for good: a receipt (`permanent`: the contact itself is no good). */
  | { kind: 'refused'; permanent: boolean; reason: string }
  /** Anything else (configuration, an outage): the message goes back to its queue, and after the last receive to its DLQ. */
  | { kind: 'retry'; reason: string };

// SES: TooManyRequestsException (rate), LimitExceededException (quota); SMS: ThrottlingException; SNS: ThrottledException. An SMS
// ServiceQuotaExceededException is a spend limit, not a rate: it is retried like a configuration error.
const THROTTLING = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'ThrottledException',
  'Throttling',
  'KMSThrottlingException',
  'RequestLimitExceeded',
]);

/**
 * Refusals per channel, by the SDK's error name. Permanent only where the error is about the contact:
 * a disabled or unknown push endpoint (a token no longer valid), an SMS number that opted out. A
 * message SES or the SMS service rejects is a failure of this notice on this channel (the next channel
 * gets it), not of the contact. Configuration errors (unverified sender, unknown configuration set,
 * paused account) are retried: they need an operator, and the DLQ alarm calls one.
 */
const REFUSALS: Readonly<Record<NotifyChannel, Readonly<Record<string, boolean>>>> = {
  email: { MessageRejected: false, BadRequestException: false },
  sms: { ValidationException: false },
  push: {
    EndpointDisabledException: true,
    EndpointDisabled: true,
    InvalidParameterException: true,
    NotFoundException: true,
    PlatformApplicationDisabledException: false,
  },
};

/** What a provider's error means for a notice on `channel`. `reason` (the error's message) is masked: it may quote the recipient. */
export const classifySendError = (channel: NotifyChannel, error: { name?: string; message?: string; Reason?: string }): SendErrorClass => {
  const name = error.name ?? 'Error';
  const reason = withoutContactDetails(`${name}${error.Reason ? ` (${error.Reason})` : ''}: ${error.message ?? ''}`);
  if (THROTTLING.has(name)) return { kind: 'throttled' };
  // An SMS to a number that replied STOP: the carrier will refuse every notice to it.
  if (channel === 'sms' && name === 'ConflictException' && error.Reason === 'DESTINATION_PHONE_NUMBER_OPTED_OUT')
    return { kind: 'refused', permanent: true, reason };
  const permanent = REFUSALS[channel][name];
  return permanent === undefined ? { kind: 'retry', reason } : { kind: 'refused', permanent, reason };
};
