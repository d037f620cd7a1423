/**
 * Which notices a subject's new state calls for, given who is affected now and what the ledger says
 * each customer was told. Pure: the same inputs always plan the same notices, and a notice already in
 * the ledger is never planned again, so reprocessing never sends twice.
 */
import type { AssessedCustomer, Effect, SubjectState } from '../model.ts';
import { TOLD_KINDS, compareNotices, type NoticeKind, type ScheduledKind } from './kinds.ts';
import { wasTold, type Told } from './told.ts';

export interface PlannedNotice {
  customerId: string;
  kind: NoticeKind;
  /** Ledger version: exactly once per (subject, customer, kind, version). */
  version: number;
  effect: Effect;
}

export interface PlanInput {
  state: SubjectState;
  /** Customers affected now (empty for a held subject or a cancelled change). */
  affected: readonly Pick<AssessedCustomer, 'id' | 'effect'>[];
  /** What each customer was told about this subject so far (from the ledger). */
  told: ReadonlyMap<string, readonly Told[]>;
  /** When the triggering event occurred (epoch ms): the version of status-driven updates. */
  at: number;
}

const minuteOf = (ms: number) => Math.floor(ms / 60_000);
const FIRST: Record<'change' | 'incident', NoticeKind> = { change: 'change-notice', incident: 'incident-notice' };

const has = (told: readonly Told[] | undefined, kind: string, version: number) => !!told?.some((t) => t.kind === kind && t.version === version);
const latest = (told: readonly Told[] | undefined, kinds: readonly string[]) =>
  Math.max(0, ...(told ?? []).filter((t) => kinds.includes(t.kind)).map((t) => t.version));

/**
 * Rules (DESIGN section 7):
 * - newly affected customers get the first notice (change-notice / incident-notice) at the scope version;
 * - a change's customers told an older scope get change-update at the new scope version;
 * - customers told before but no longer affected get one all-clear per scope version;
 * - cancelled / completed changes and resolved incidents reach everyone who was told;
 * - an incident status change reaches everyone told, versioned by the minute it happened.
 */
export const planNotices = ({ state, affected, told, at }: PlanInput): PlannedNotice[] => {
  if (!state.opened) return [];
  const plan: PlannedNotice[] = [];
  const first = FIRST[state.type];
  const affectedNow = new Map(affected.map((c) => [c.id, c.effect]));
  const add = (customerId: string, kind: NoticeKind, version: number, effect: Effect) => {
    if (!has(told.get(customerId), kind, version)) plan.push({ customerId, kind, version, effect });
  };

  const closing: NoticeKind | undefined =
    state.type === 'change'
      ? state.status === 'cancelled'
        ? 'change-cancelled'
        : state.status === 'completed'
          ? 'change-completed'
          : undefined
      : state.status === 'resolved'
        ? 'incident-resolved'
        : undefined;

  if (closing) {
    for (const [customerId, history] of told) {
      if (wasTold(history, state.type)) add(customerId, closing, 1, affectedNow.get(customerId) ?? 'none');
    }
    return plan.sort(compareNotices);
  }

  for (const [customerId, effect] of affectedNow) {
    const history = told.get(customerId);
    if (!wasTold(history, state.type)) add(customerId, first, state.scopeVersion, effect);
    else if (state.type === 'change' && latest(history, TOLD_KINDS.change) < state.scopeVersion) add(customerId, 'change-update', state.scopeVersion, effect);
  }
  for (const [customerId, history] of told) {
    if (!affectedNow.has(customerId) && wasTold(history, state.type)) add(customerId, 'all-clear', state.scopeVersion, 'none');
  }
  if (state.type === 'incident' && state.statusChangedAt !== undefined && state.statusChangedAt === at && state.status !== 'open') {
    for (const [customerId, effect] of affectedNow) {
      if (wasTold(told.get(customerId), state.type)) add(customerId, 'incident-update', minuteOf(at), effect);
    }
  }
  return plan.sort(compareNotices);
};

/** Scheduled notices (remind): reminders before the window, overrun at its end, incident cadence updates. */
export const planScheduled = (
  kind: ScheduledKind,
  state: SubjectState,
  affected: readonly Pick<AssessedCustomer, 'id' | 'effect'>[],
  told: ReadonlyMap<string, readonly Told[]>,
  version: number,
): PlannedNotice[] => {
  const live =
    kind === 'reminder'
      ? state.type === 'change' && (state.status === 'scheduled')
      : kind === 'change-overrun'
        ? state.type === 'change' && state.status === 'started'
        : state.type === 'incident' && state.status !== 'resolved';
  if (!state.opened || !live) return [];
  return affected
    .filter((c) => wasTold(told.get(c.id), state.type) && !has(told.get(c.id), kind, version))
    .map((c) => ({ customerId: c.id, kind, version, effect: c.effect }))
    .sort(compareNotices);
};
