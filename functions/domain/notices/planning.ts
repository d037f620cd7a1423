/**
 * Which notices a subject's new state calls for, given who is affected now and what the ledger says
 * each customer was told. Pure: the same inputs always plan the same notices, and a notice already in
 * the ledger is never planned again, so reprocessing never sends twice.
 */
import type { AssessedCustomer, Effect, SubjectState } from '../model.ts';
import { toldVersion } from '../subject.ts';
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
  /**
   * When the event being planned for occurred (epoch ms): an incident update goes out when this event
   * brought news (status, message, expected restore time, an approval of held news), versioned by it.
   */
  at: number;
}

const has = (told: readonly Told[] | undefined, kind: string, version: number) => !!told?.some((t) => t.kind === kind && t.version === version);
const latest = (told: readonly Told[] | undefined, kinds: readonly string[]) =>
  Math.max(0, ...(told ?? []).filter((t) => kinds.includes(t.kind)).map((t) => t.version));

/** The closing notice a subject's status calls for, if any: it goes to everyone who was told. */
const closingKind = (state: SubjectState): NoticeKind | undefined => {
  switch (state.status) {
    case 'cancelled':
      return 'change-cancelled';
    case 'completed':
      return 'change-completed';
    case 'rolled-back':
      return 'change-failed';
    case 'resolved':
      return 'incident-resolved';
    default:
      return undefined;
  }
};

/**
 * Whether the event at `at` brought news to an incident's customers: its status moved (to anything but
 * open), its message or expected restore time changed, or held news were approved.
 */
export const incidentNewsAt = (state: SubjectState, at: number): boolean =>
  (state.statusChangedAt === at && state.status !== 'open') || state.messageChangedAt === at || (state.approved?.news === true && state.approved.at === at);

/**
 * Rules (DESIGN section 7, issue 15):
 * - newly affected customers get the first notice: change-notice at the told version (change-failed
 *   once the change failed), incident-notice at the scope version;
 * - a change's customers told an older told version (scope or message) get change-update at the new
 *   one (change-failed while it is failed): the same state is told once, a new one again;
 * - an incident's told customers get incident-update when the event brought news, versioned by its time;
 * - customers told before but no longer affected get one all-clear per scope version;
 * - cancelled, completed or rolled-back changes and resolved incidents reach everyone who was told;
 * - what a `notify: false` event changed counts as told (state.silenced): the changes it made, the
 *   customers it dropped and the closing it did are not told later; customers it newly affected are
 *   told by the next event that notifies.
 */
export const planNotices = ({ state, affected, told, at }: PlanInput): PlannedNotice[] => {
  if (!state.opened) return [];
  const plan: PlannedNotice[] = [];
  const affectedNow = new Map(affected.map((c) => [c.id, c.effect]));
  const add = (customerId: string, kind: NoticeKind, version: number, effect: Effect) => {
    if (!has(told.get(customerId), kind, version)) plan.push({ customerId, kind, version, effect });
  };
  const silenced = state.silenced;
  const line = toldVersion(state);

  const closing = closingKind(state);
  if (closing) {
    if (silenced?.status === state.status) return [];
    // A rolled-back change hits nothing any more; it says so in the told version's notice.
    const rolledBack = state.status === 'rolled-back';
    for (const [customerId, history] of told) {
      if (wasTold(history, state.type)) add(customerId, closing, rolledBack ? line : 1, rolledBack ? 'none' : (affectedNow.get(customerId) ?? 'none'));
    }
    return plan.sort(compareNotices);
  }

  const failed = state.status === 'failed';
  for (const [customerId, effect] of affectedNow) {
    const history = told.get(customerId);
    if (state.type === 'incident') {
      if (!wasTold(history, 'incident')) add(customerId, 'incident-notice', state.scopeVersion, effect);
      continue;
    }
    if (!wasTold(history, 'change')) add(customerId, failed ? 'change-failed' : 'change-notice', line, effect);
    else if (Math.max(latest(history, TOLD_KINDS.change), silenced?.toldVersion ?? 0) < line)
      add(customerId, failed ? 'change-failed' : 'change-update', line, effect);
  }
  const droppedAloud = !silenced || state.scopeVersion > silenced.scopeVersion;
  for (const [customerId, history] of told) {
    if (droppedAloud && !affectedNow.has(customerId) && wasTold(history, state.type)) add(customerId, 'all-clear', state.scopeVersion, 'none');
  }
  if (state.type === 'incident' && incidentNewsAt(state, at)) {
    for (const [customerId, effect] of affectedNow) {
      if (wasTold(told.get(customerId), state.type)) add(customerId, 'incident-update', at, effect);
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
      ? state.type === 'change' && state.status === 'scheduled'
      : kind === 'change-overrun'
        ? state.type === 'change' && state.status === 'started'
        : state.type === 'incident' && state.status !== 'resolved';
  if (!state.opened || !live) return [];
  return affected
    .filter((c) => wasTold(told.get(c.id), state.type) && !has(told.get(c.id), kind, version))
    .map((c) => ({ customerId: c.id, kind, version, effect: c.effect }))
    .sort(compareNotices);
};
