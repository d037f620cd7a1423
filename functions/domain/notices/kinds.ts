/**
 * Notice kinds (DESIGN section 7): which of them tell a customer about a subject, which are sent on a
 * schedule, which may wait for the end of a customer's quiet hours, and the order they fan out in.
 */
import type { Effect, SubjectType } from '../model.ts';

export const NOTICE_KINDS = [
  'change-notice',
  'change-update',
  'change-cancelled',
  'reminder',
  'change-overrun',
  'change-completed',
  'change-failed',
  'incident-notice',
  'incident-update',
  'incident-resolved',
  'all-clear',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * The notices that tell a customer about a subject: whoever got one of these was told, and only they
 * get its updates, reminders, all-clears and closing notice, and are spared the notices of an incident
 * folded into it. A reminder does not count: it only ever goes to customers already told, and its
 * version (scope * 1000 + hours) is not a told version, so it would only blur which state they know.
 * A change's told kinds all carry the subject's told version (subject.ts toldVersion).
 */
export const TOLD_KINDS = {
  change: ['change-notice', 'change-update', 'change-failed'],
  incident: ['incident-notice'],
} as const satisfies Record<SubjectType, readonly NoticeKind[]>;

export const isToldKind = (subjectType: SubjectType, kind: string): boolean => (TOLD_KINDS[subjectType] as readonly string[]).includes(kind);

/** Notices sent when a schedule fires (Notice Due): reminders, overrun checks, incident cadence updates. */
export const SCHEDULED_KINDS = ['reminder', 'change-overrun', 'incident-update'] as const satisfies readonly NoticeKind[];
export type ScheduledKind = (typeof SCHEDULED_KINDS)[number];

/**
 * Whether a notice may reach a customer in their quiet hours: only news of an outage they do not know
 * of yet, and the end of one they do. An incident notice or update wakes them when it tells of an
 * outage and what they were last told (`toldEffect`) was less; an overrun or a failed change when it
 * leaves them without the service; an incident's resolution when they were told of an outage.
 * Everything else (a repeat of the same outage, change notices, reminders) waits for the morning.
 * A ledger record from before effects were recorded (toldEffect unknown) counts as told of less, as
 * such updates were urgent then.
 */
export const isUrgent = (kind: NoticeKind, effect: Effect, toldEffect?: Effect): boolean => {
  switch (kind) {
    case 'incident-notice':
    case 'incident-update':
      return effect === 'outage' && toldEffect !== 'outage';
    case 'change-overrun':
    case 'change-failed':
      return effect === 'outage';
    case 'incident-resolved':
      return toldEffect === 'outage';
    default:
      return false;
  }
};

/** Within one effect: incident notices before change news before reminders. */
const KIND_PRIORITY: Record<NoticeKind, number> = {
  'incident-notice': 0,
  'change-overrun': 1,
  'incident-update': 2,
  'change-notice': 3,
  'change-update': 4,
  'change-failed': 5,
  'change-cancelled': 6,
  'incident-resolved': 7,
  'change-completed': 8,
  'all-clear': 9,
  reminder: 10,
};
const EFFECT_PRIORITY: Record<Effect, number> = { outage: 0, degraded: 1, none: 2 };
/** Fan-out rank of an effect: lower goes first (outage, degraded, none). */
export const fanOutRank = (effect: Effect): number => EFFECT_PRIORITY[effect];

/**
 * Fan-out order: outages first, then degraded, then none (the effect decides first, so a customer who
 * cannot use a service hears before one who is only slowed down); within an effect, by KIND_PRIORITY;
 * then by customer id.
 */
export const compareNotices = (
  a: { kind: NoticeKind; effect: Effect; customerId: string },
  b: { kind: NoticeKind; effect: Effect; customerId: string },
): number =>
  EFFECT_PRIORITY[a.effect] - EFFECT_PRIORITY[b.effect] ||
  KIND_PRIORITY[a.kind] - KIND_PRIORITY[b.kind] ||
  (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);
