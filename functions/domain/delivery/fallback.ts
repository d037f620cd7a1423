/**
 * The same notice once more, on the customer's next usable channel, after it failed for good on one:
 * a notice job of one customer that names the channels already tried. notify chooses the channel (it
 * alone reads contacts and their marks: domain/delivery/channels.ts) and sends it exactly once per
 * channel; its version and kind are the failed notice's, so a newer state that superseded it in the
 * meantime drops it there like any other news (domain/notices/merging.ts).
 */
import type { Effect, NotifyChannel, SubjectState } from '../model.ts';
import { jobSubject, type NoticeJob } from '../notices/jobs.ts';
import { NOTICE_KINDS, type NoticeKind } from '../notices/kinds.ts';
import type { NoticeKey } from '../notices/notice-id.ts';

export interface FallbackSource {
  notice: NoticeKey;
  /** The subject's state now (its projection). */
  state: SubjectState;
  /** Names of the touchpoints the customer is told about. */
  touchpointNames: Record<string, string>;
  /** The customer as the notice told them: effect and touchpoints (the impact projection, else the ledger). */
  customer: {
    effect: Effect;
    touchpoints: readonly string[];
    locale?: string;
    timeZone?: string;
    segment?: string;
    quietHours?: { start: string; end: string };
  };
  /** Every channel the notice failed on so far. */
  tried: readonly NotifyChannel[];
  /** When the event the notice told of occurred (epoch ms), carried on for the delivery metrics. */
  eventAt?: number;
}

const isNoticeKind = (kind: string): kind is NoticeKind => (NOTICE_KINDS as readonly string[]).includes(kind);

/** The fallback job, or undefined when the notice's kind is not one notify sends. */
export const fallbackJob = (source: FallbackSource): NoticeJob | undefined => {
  const { notice, customer } = source;
  if (!isNoticeKind(notice.kind)) return undefined;
  return {
    type: 'notices',
    subjectKey: notice.subjectKey,
    subject: { ...jobSubject(source.state), ...(source.eventAt !== undefined ? { occurredAt: source.eventAt } : {}) },
    kind: notice.kind,
    touchpointNames: source.touchpointNames,
    customers: [
      {
        id: notice.customerId,
        version: notice.version,
        effect: customer.effect,
        ...(customer.locale ? { locale: customer.locale } : {}),
        ...(customer.timeZone ? { timeZone: customer.timeZone } : {}),
        ...(customer.segment ? { segment: customer.segment } : {}),
        ...(customer.quietHours ? { quietHours: customer.quietHours } : {}),
        touchpoints: [...customer.touchpoints],
        tried: [...new Set(source.tried)].sort(),
      },
    ],
  };
};
