/** Notice kinds (DESIGN section 7) and which of them may wait for the end of a customer's quiet hours. */
import type { Effect } from '../model.ts';

export const NOTICE_KINDS = [
  'change-notice',
  'change-update',
  'change-cancelled',
  'reminder',
  'change-overrun',
  'change-completed',
  'incident-notice',
  'incident-update',
  'incident-resolved',
  'all-clear',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** Only an outage happening now is worth waking someone for; everything else waits for the morning. */
export const isUrgent = (kind: NoticeKind, effect: Effect): boolean =>
  effect === 'outage' && (kind === 'incident-notice' || kind === 'incident-update' || kind === 'change-overrun');

/** Fan-out order: incident notices before change news before reminders; within a kind, outage first. */
const KIND_PRIORITY: Record<NoticeKind, number> = {
  'incident-notice': 0,
  'change-overrun': 1,
  'incident-update': 2,
  'change-notice': 3,
  'change-update': 4,
  'change-cancelled': 5,
  'incident-resolved': 6,
  'change-completed': 7,
  'all-clear': 8,
  reminder: 9,
};
const EFFECT_PRIORITY: Record<Effect, number> = { outage: 0, degraded: 1, none: 2 };
/** Fan-out rank of an effect: lower goes first. */
export const effectRank = (effect: Effect): number => EFFECT_PRIORITY[effect];

export const compareNotices = (
  a: { kind: NoticeKind; effect: Effect; customerId: string },
  b: { kind: NoticeKind; effect: Effect; customerId: string },
): number =>
  EFFECT_PRIORITY[a.effect] - EFFECT_PRIORITY[b.effect] ||
  KIND_PRIORITY[a.kind] - KIND_PRIORITY[b.kind] ||
  (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);
