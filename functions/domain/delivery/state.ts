/**
 * What became of one notice on one channel: a small state machine that receipts move forward only.
 *
 *   accepted  the provider took it (SES SendEmail, SendTextMessage, Publish answered)
 *   delayed   the provider reports a delay and keeps trying (SES delivery delay)
 *   delivered the provider (or the carrier) says it arrived
 *   failed    it did not arrive: this message (transient) or, above that, the contact itself (permanent)
 *
 * Ranked in that order (failed-permanent highest), a state is the maximum of every step it saw, ties
 * broken by time, reason and message id; a complaint (`optOut`) is a flag that, once set, stays. Each
 * part is a join, so the whole is: receipts that arrive twice or in any order end in the same state
 * (tests/unit/delivery/state.test.ts checks it with fast-check). A delivery followed by a bounce is a
 * failure (mail servers accept first and bounce later); a complaint means it arrived.
 */
import type { NoticeReceipt } from '../events/schemas.ts';
import type { NotifyChannel } from '../model.ts';

export const DELIVERY_STATUSES = ['accepted', 'delayed', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface ChannelDelivery {
  status: DeliveryStatus;
  /** `failed` only: the contact itself is no good (hard bounce, invalid number, disabled endpoint). */
  permanent?: boolean;
  /** The recipient complained: an opt-out of this channel. Once set, it stays. */
  optOut?: boolean;
  /** What the provider said, contact details masked. */
  reason?: string;
  providerMessageId?: string;
  /** When the status was reached (the provider's time of the receipt), epoch ms. */
  at: number;
}

/** One thing that happened to a notice on a channel: the provider took it, or a receipt came back. */
export type DeliveryStep = ChannelDelivery;

const RANK: Readonly<Record<DeliveryStatus, number>> = { accepted: 1, delayed: 2, delivered: 3, failed: 4 };
export const rankOf = (d: Pick<ChannelDelivery, 'status' | 'permanent'>): number => RANK[d.status] + (d.status === 'failed' && d.permanent ? 1 : 0);

/** The provider took the message. */
export const acceptedStep = (at: number, providerMessageId?: string): DeliveryStep => ({
  status: 'accepted',
  at,
  ...(providerMessageId ? { providerMessageId } : {}),
});

/** The step a receipt stands for. A failure the provider is still working on (`final: false`) is a delay. */
export const stepOf = (receipt: NoticeReceipt): DeliveryStep => {
  const at = Date.parse(receipt.occurredAt);
  const common = {
    at,
    ...(receipt.providerMessageId ? { providerMessageId: receipt.providerMessageId } : {}),
    ...(receipt.reason ? { reason: receipt.reason } : {}),
  };
  if (receipt.detailType === 'Notice Delivered') return { status: 'delivered', ...common, ...(receipt.optOut ? { optOut: true } : {}) };
  if (receipt.final === false) return { status: 'delayed', ...common };
  return { status: 'failed', ...common, permanent: receipt.permanent };
};

/** A total order on what a state says (rank, then time, then reason, then message id). */
const compare = (a: ChannelDelivery, b: ChannelDelivery): number =>
  rankOf(a) - rankOf(b) || a.at - b.at || cmp(a.reason ?? '', b.reason ?? '') || cmp(a.providerMessageId ?? '', b.providerMessageId ?? '');
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The state after a step: the join of the two (see the header). */
export const applyStep = (current: ChannelDelivery | undefined, step: DeliveryStep): ChannelDelivery => {
  if (!current) return normalise(step);
  const winner = compare(step, current) > 0 ? step : current;
  const ids = [current.providerMessageId, step.providerMessageId].filter((id): id is string => !!id).sort();
  return normalise({
    status: winner.status,
    at: winner.at,
    ...(winner.status === 'failed' ? { permanent: !!winner.permanent } : {}),
    ...(winner.reason ? { reason: winner.reason } : {}),
    ...(ids.length > 0 ? { providerMessageId: ids[0] } : {}),
    ...(current.optOut || step.optOut ? { optOut: true } : {}),
  });
};

/** One shape per meaning: `permanent` only on failures, no undefined fields. */
const normalise = (d: ChannelDelivery): ChannelDelivery => ({
  status: d.status,
  at: d.at,
  ...(d.status === 'failed' ? { permanent: !!d.permanent } : {}),
  ...(d.optOut ? { optOut: true } : {}),
  ...(d.reason ? { reason: d.reason } : {}),
  ...(d.providerMessageId ? { providerMessageId: d.providerMessageId } : {}),
});

export const sameDelivery = (a: ChannelDelivery | undefined, b: ChannelDelivery | undefined): boolean =>
  a === b ||
  (!!a &&
    !!b &&
    a.status === b.status &&
    a.at === b.at &&
    !!a.permanent === !!b.permanent &&
    !!a.optOut === !!b.optOut &&
    a.reason === b.reason &&
    a.providerMessageId === b.providerMessageId);

/** Delivered within these many minutes of the event the notice tells of: the delivery metrics. */
export const DELIVERY_WINDOWS_MINUTES = [5, 15] as const;

export interface DeliveryCounts {
  /** Handed to the provider (or first heard of through a receipt). */
  sent: number;
  delivered: number;
  /** Failed for good (transient or permanent); a delay is still pending. */
  failed: number;
  within5: number;
  within15: number;
}

export const COUNT_NAMES = ['sent', 'delivered', 'failed', 'within5', 'within15'] as const satisfies readonly (keyof DeliveryCounts)[];

const countsOf = (d: ChannelDelivery | undefined, eventAt: number | undefined): DeliveryCounts => {
  const delivered = d?.status === 'delivered';
  const latency = delivered && eventAt !== undefined ? d.at - eventAt : undefined;
  return {
    sent: d ? 1 : 0,
    delivered: delivered ? 1 : 0,
    failed: d?.status === 'failed' ? 1 : 0,
    within5: latency !== undefined && latency <= 5 * 60_000 ? 1 : 0,
    within15: latency !== undefined && latency <= 15 * 60_000 ? 1 : 0,
  };
};

/**
 * How a subject's delivery counters move when one channel's state goes from `before` to `after`: a
 * counter says how many notices are in that state now, so a delivery that later bounces moves from
 * delivered to failed. `eventAt`: when the event the notice tells of occurred (no latency without it).
 */
export const counterDeltas = (before: ChannelDelivery | undefined, after: ChannelDelivery | undefined, eventAt?: number): Partial<DeliveryCounts> => {
  const was = countsOf(before, eventAt);
  const now = countsOf(after, eventAt);
  const deltas: Partial<DeliveryCounts> = {};
  for (const name of COUNT_NAMES) if (now[name] !== was[name]) deltas[name] = now[name] - was[name];
  return deltas;
};

/** Still on its way: handed over and neither delivered nor failed. */
export const pendingOf = (c: Pick<DeliveryCounts, 'sent' | 'delivered' | 'failed'>): number => Math.max(0, c.sent - c.delivered - c.failed);

export type NoticeOutcome = 'delivered' | 'failed' | 'pending';

/** Where a notice stands over all its channels: delivered on one, failed on every one tried, or still on its way. */
export const noticeOutcome = (channels: Partial<Record<NotifyChannel, ChannelDelivery>>): NoticeOutcome => {
  const states = Object.values(channels);
  if (states.some((d) => d.status === 'delivered')) return 'delivered';
  return states.length > 0 && states.every((d) => d.status === 'failed') ? 'failed' : 'pending';
};
