/**
 * PutEvents in entries of at most 10 (each under 256 KB). EventBridge answers 200 even when it took
 * only some entries, so every answer is checked entry by entry: entries that failed for a reason worth
 * retrying (InternalFailure, ThrottlingException) are resent with backoff; an entry refused for any
 * other reason (access, bad argument) is not resent. What is still not taken ends in
 * EventsNotAcceptedError, never in silence.
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { PIPELINE_SOURCE, type PipelineDetailType } from '../domain/events/schemas.ts';
import { backoffMs, isThrottling, sleep } from './dynamodb/retry.ts';

export const MAX_ENTRIES = 10;
export const MAX_ENTRY_BYTES = 256 * 1024;
const MAX_ATTEMPTS = 5;
/** Per-entry error codes the PutEvents reference lists as retryable. */
const RETRYABLE = new Set(['InternalFailure', 'ThrottlingException']);

export class EventTooLargeError extends Error {
  constructor(detailType: string, bytes: number) {
    super(`"${detailType}" event is ${bytes} bytes; EventBridge takes at most ${MAX_ENTRY_BYTES}: send less detail (ids and counts, not lists)`);
    this.name = 'EventTooLargeError';
  }
}

export interface EntryFailure {
  detailType: string;
  errorCode: string;
  errorMessage?: string;
}

/**
 * EventBridge did not take some entries. `code` says what a caller can do: `unavailable` (throttling or
 * an internal failure outlasted the retries: try again later), `refused` (it will not take them as they are).
 */
export class EventsNotAcceptedError extends Error {
  readonly code: 'unavailable' | 'refused';
  readonly failures: readonly EntryFailure[];

  constructor(code: 'unavailable' | 'refused', failures: readonly EntryFailure[], options?: ErrorOptions) {
    const reasons = [...new Set(failures.map((f) => `${f.errorCode}${f.errorMessage ? ` (${f.errorMessage})` : ''}`))].join('; ');
    super(`EventBridge did not take ${failures.length} event(s): ${reasons}`, options);
    this.name = 'EventsNotAcceptedError';
    this.code = code;
    this.failures = failures;
  }
}

export const isEventsNotAcceptedError = (error: unknown): error is EventsNotAcceptedError => error instanceof EventsNotAcceptedError;

/** An event to put on the bus. */
export interface BusEntry {
  source: string;
  detailType: string;
  detail: unknown;
}

const entrySize = (e: PutEventsRequestEntry) =>
  Buffer.byteLength(e.Detail ?? '') +
  Buffer.byteLength(e.DetailType ?? '') +
  Buffer.byteLength(e.Source ?? '') +
  (e.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0);

const isServerFault = (error: unknown) => isThrottling(error) || (error as { $fault?: string }).$fault === 'server';

export class PipelineEvents {
  private readonly client: EventBridgeClient;
  private readonly busName: string;

  constructor(client: EventBridgeClient, busName: string) {
    this.client = client;
    this.busName = busName;
  }

  /** The pipeline's own events (source impact.pipeline). */
  async emit(events: { detailType: PipelineDetailType; detail: unknown }[]): Promise<void> {
    await this.put(events.map((e) => ({ source: PIPELINE_SOURCE, ...e })));
  }

  /** Puts events on the bus; resolves only once EventBridge has taken every one of them. */
  async put(events: readonly BusEntry[]): Promise<void> {
    const entries: PutEventsRequestEntry[] = events.map((e) => ({
      EventBusName: this.busName,
      Source: e.source,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
    }));
    for (const e of entries) if (entrySize(e) > MAX_ENTRY_BYTES) throw new EventTooLargeError(e.DetailType!, entrySize(e));
    for (let i = 0; i < entries.length; i += MAX_ENTRIES) await this.putBatch(entries.slice(i, i + MAX_ENTRIES));
  }

  private async putBatch(batch: PutEventsRequestEntry[]): Promise<void> {
    let pending = batch;
    let unavailable: EntryFailure[] = [];
    const refused: EntryFailure[] = [];
    for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt, 50));
      let out;
      try {
        out = await this.client.send(new PutEventsCommand({ Entries: pending }));
      } catch (error) {
        const failed = pending.map((e) => ({ detailType: e.DetailType!, errorCode: (error as Error).name, errorMessage: (error as Error).message }));
        // The SDK has already retried throttling and server faults: a caller may try again later.
        throw new EventsNotAcceptedError(isServerFault(error) ? 'unavailable' : 'refused', [...refused, ...failed], { cause: error });
      }
      const failed = pending.flatMap((e, k) => {
        const result = out.Entries?.[k];
        return result?.ErrorCode
          ? [
              {
                entry: e,
                failure: { detailType: e.DetailType!, errorCode: result.ErrorCode, ...(result.ErrorMessage ? { errorMessage: result.ErrorMessage } : {}) },
              },
            ]
          : [];
      });
      refused.push(...failed.filter((f) => !RETRYABLE.has(f.failure.errorCode)).map((f) => f.failure));
      const retry = failed.filter((f) => RETRYABLE.has(f.failure.errorCode));
      unavailable = retry.map((f) => f.failure);
      pending = retry.map((f) => f.entry);
    }
    if (refused.length > 0) throw new EventsNotAcceptedError('refused', [...refused, ...unavailable]);
    if (pending.length > 0) throw new EventsNotAcceptedError('unavailable', unavailable);
  }
}
