/** Quiet hours, in the customer's own time zone: when a non-urgent notice may go out. */
import type { Effect, QuietHours } from '../model.ts';
import { isUrgent, type NoticeKind } from './kinds.ts';
import { MERGE_WINDOW_MS, isNewsKind } from './merging.ts';

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Minutes since local midnight of `at` in `timeZone`. */
export const localMinutes = (at: number, timeZone: string): number => {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
};

/** Whether `at` falls inside the quiet hours (a range may wrap midnight: 22:00-07:00). */
export const inQuietHours = (quiet: QuietHours, timeZone: string, at: number): boolean => {
  const now = localMinutes(at, timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start <= end ? now >= start && now < end : now >= start || now < end;
};

/**
 * When a deferred notice may be sent: the end of the current quiet period (to the minute), or `at`
 * itself when the customer is not in quiet hours. Without a time zone, UTC is assumed.
 */
export const sendAfterQuietHours = (quiet: QuietHours | undefined, timeZone: string | undefined, at: number): number => {
  if (!quiet) return at;
  const zone = timeZone ?? 'UTC';
  if (!inQuietHours(quiet, zone, at)) return at;
  const now = localMinutes(at, zone);
  const end = minutesOf(quiet.end);
  const wait = (end - now + 24 * 60) % (24 * 60);
  return (Math.floor(at / 60_000) + wait) * 60_000;
};

/** What decides when a customer's notice may go out. */
export interface DeliveryFacts {
  effect: Effect;
  quietHours?: QuietHours;
  timeZone?: string;
  /** The effect of the last notice they were told about the subject (see isUrgent). */
  toldEffect?: Effect;
  /** When they were last told about the subject (see MERGE_WINDOW_MS). */
  lastToldAt?: number;
}

/**
 * When a notice may reach a customer: at once when it is urgent (isUrgent); else news waits for the
 * end of the merge window after their last notice about the subject, and anything waits for the end
 * of their quiet hours.
 */
export const sendAt = (kind: NoticeKind, c: DeliveryFacts, now: number, mergeWindowMs = MERGE_WINDOW_MS): number => {
  if (isUrgent(kind, c.effect, c.toldEffect)) return now;
  const merged = isNewsKind(kind) && c.lastToldAt !== undefined ? Math.max(now, c.lastToldAt + mergeWindowMs) : now;
  return sendAfterQuietHours(c.quietHours, c.timeZone, merged);
};

/**
 * Splits a notice's customers into those it may reach now and, by the time it may reach them, those
 * who wait (quiet hours, the merge window; an urgent notice reaches everyone now).
 */
export const byQuietHours = <C extends DeliveryFacts>(
  kind: NoticeKind,
  customers: readonly C[],
  now: number,
  mergeWindowMs = MERGE_WINDOW_MS,
): { due: C[]; later: Map<number, C[]> } => {
  const due: C[] = [];
  const later = new Map<number, C[]>();
  for (const c of customers) {
    const at = sendAt(kind, c, now, mergeWindowMs);
    if (at <= now) due.push(c);
    else later.set(at, [...(later.get(at) ?? []), c]);
  }
  return { due, later };
};
