/**
 * The change events every change tool produces the same way. A change in a scheduled (or started) state
 * is announced in full at every delivery: the fold treats a repeated Change Scheduled as an update whose
 * notice version moves only when window or impacts changed, so a missed or reordered delivery never leaves
 * a change held. Started and the closing events carry one id per change, so only the first counts.
 */
import type { NodeImpact } from '../model.ts';
import type { IntakeActor, IntakeEvent, IntakeIssue, IntakeSource } from './contract.ts';
import { clipText, eventIdFrom, intakeEvent } from './envelope.ts';
import { TIME_FORMATS_HINT, isoOf, vendorTime } from './times.ts';

/** A change's planned window from the tool's two fields, or why it cannot be read (naming the fields). */
export const plannedWindow = (
  start: { field: string; value: unknown },
  end: { field: string; value: unknown },
): { start: number; end: number } | IntakeIssue[] => {
  const from = vendorTime(start.value);
  const to = vendorTime(end.value);
  const issues: IntakeIssue[] = [];
  for (const [f, ms] of [
    [start, from],
    [end, to],
  ] as const) {
    if (ms === undefined)
      issues.push({ field: f.field, message: `is required to announce a change: ${TIME_FORMATS_HINT} (got ${JSON.stringify(f.value ?? null)})` });
  }
  if (from !== undefined && to !== undefined && to <= from) {
    issues.push({ field: end.field, message: `must be after ${start.field} (${isoOf(to)} <= ${isoOf(from)}); fix the planned dates of the change` });
  }
  return from === undefined || to === undefined || issues.length > 0 ? issues : { start: from, end: to };
};

export interface ChangeAnnouncement {
  /** The vendor's stable id of the change (sys_id, issue id, event ARN). */
  key: string;
  /** What distinguishes this delivery's content (a modification count, a changelog id, a status and time). */
  version: string;
  changeId: string;
  occurredAt: string;
  actor: IntakeActor;
  title: string;
  window: { start: number; end: number };
  impacts: NodeImpact[];
  risk?: 'low' | 'medium' | 'high';
  /** Set when the change is already under way: a Change Started follows the announcement. */
  startedAt?: string;
}

export const announceChange = (source: IntakeSource, a: ChangeAnnouncement): IntakeEvent[] => {
  const base = { actor: a.actor, changeId: a.changeId };
  const scheduled = intakeEvent(source, 'Change Scheduled', {
    ...base,
    eventId: eventIdFrom(source, a.key, a.version, 'scheduled'),
    occurredAt: a.occurredAt,
    title: clipText(a.title),
    window: { start: isoOf(a.window.start), end: isoOf(a.window.end) },
    impacts: a.impacts,
    ...(a.risk ? { risk: a.risk } : {}),
  });
  if (a.startedAt === undefined) return [scheduled];
  return [scheduled, intakeEvent(source, 'Change Started', { ...base, eventId: eventIdFrom(source, a.key, 'started'), occurredAt: a.startedAt })];
};

export type ChangeClosing = 'completed' | 'failed' | 'cancelled';
const CLOSING_TYPES = { completed: 'Change Completed', failed: 'Change Failed', cancelled: 'Change Cancelled' } as const;

/** Completed, failed or cancelled, with the tool's words as note (or reason). */
export const closeChange = (
  source: IntakeSource,
  closing: ChangeClosing,
  c: { key: string; changeId: string; occurredAt: string; actor: IntakeActor; text?: string },
): IntakeEvent => {
  const common = { eventId: eventIdFrom(source, c.key, closing), occurredAt: c.occurredAt, actor: c.actor, changeId: c.changeId };
  const text = c.text?.trim() ? clipText(c.text.trim()) : undefined;
  if (closing === 'cancelled') return intakeEvent(source, CLOSING_TYPES.cancelled, { ...common, ...(text ? { reason: text } : {}) });
  return intakeEvent(source, CLOSING_TYPES[closing], { ...common, ...(text ? { note: text } : {}) });
};
