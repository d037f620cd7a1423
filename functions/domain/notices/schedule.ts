/** When reminders, overrun checks and incident cadence updates fire for a subject, and what they carry. */
import type { NoticeDue } from '../events/schemas.ts';
import type { Actor, SubjectState } from '../model.ts';
import type { ScheduledKind } from './kinds.ts';

export interface ScheduledTrigger {
  kind: ScheduledKind;
  at: number;
  /** Ledger version of the notices this trigger sends. */
  version: number;
  /** Idempotent schedule name: the same trigger always has the same name. */
  name: string;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '-');

/**
 * Change: a reminder `offsetsHours` before the window (only those still in the future), an overrun
 * check at the window end. Incident: the next cadence update after `now`, while unresolved.
 */
export const triggersFor = (state: SubjectState, now: number, offsetsHours: readonly number[] = [24, 1], cadenceMinutes = 60): ScheduledTrigger[] => {
  if (!state.opened) return [];
  const base = `${state.type}-${safe(state.id)}`;
  if (state.type === 'change') {
    if (state.status !== 'scheduled' && state.status !== 'started') return [];
    const triggers: ScheduledTrigger[] = [];
    if (state.status === 'scheduled') {
      for (const hours of offsetsHours) {
        const at = state.window.start - hours * 3_600_000;
        // The reminder version is the scope version: a rescheduled change gets fresh reminders.
        if (at > now)
          triggers.push({ kind: 'reminder', at, version: state.scopeVersion * 1000 + hours, name: `${base}-reminder-${hours}h-v${state.scopeVersion}` });
      }
    }
    if (state.window.end !== undefined && state.window.end > now) {
      triggers.push({ kind: 'change-overrun', at: state.window.end, version: state.scopeVersion, name: `${base}-overrun-v${state.scopeVersion}` });
    }
    return triggers;
  }
  if (state.status === 'resolved') return [];
  const step = cadenceMinutes * 60_000;
  const ticks = Math.floor((now - state.window.start) / step) + 1;
  const at = state.window.start + ticks * step;
  return [{ kind: 'incident-update', at, version: Math.floor(at / 60_000), name: `${base}-update-${ticks}` }];
};

/** The pipeline's own schedule, as the actor of the notices it makes due. */
export const SCHEDULER_ACTOR = { type: 'system', source: 'impact.scheduler' } as const satisfies Actor;

/** The detail of the `Notice Due` event a trigger puts on the bus when it fires (one shape for every producer). */
export const noticeDue = (subjectKey: string, trigger: Pick<ScheduledTrigger, 'kind' | 'version'>): NoticeDue => ({
  subjectKey,
  kind: trigger.kind,
  version: trigger.version,
  actor: SCHEDULER_ACTOR,
});

/** Splits `count` messages into chunks and says how long each chunk waits so fan-out stays within `perSecond`. */
export const paceChunks = (count: number, chunkSize: number, perSecond: number): number[] => {
  const delays: number[] = [];
  for (let sent = 0; sent < count; sent += chunkSize) delays.push(Math.floor(sent / perSecond));
  return delays;
};
