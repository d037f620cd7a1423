/**
 * The changes index: GET /changes reads the changes of its range, not every subject of the history
 * (issue 12, section 3).
 *
 * Mechanism: a window index (window-index.ts) in two partitions of its own, `changes#byStart` (windows of
 * at most LONG_CHANGE_MS, under their start) and `changes#long` (longer or open-ended ones, under their end).
 * Without a range both partitions are read whole: every change, no incident. Each item carries the list's
 * fields, what the filters need (hit touchpoints, their teams, the change's team) and the effect on each hit
 * touchpoint (GET /touchpoints reads the changes live now from here), so neither reads anything more.
 *
 * Guarantees: the item is written by Projections.putSubject in one transaction with the subject state,
 * conditional on the state's version as read just before, with the delete of the item of the window it
 * had: a moved window leaves nothing behind and an older version never overwrites a newer.
 *
 * Limits: beyond what it returns, a range reads what window-index.ts says (short changes over shortly
 * before `from`, long ones starting at or after `to`); a filter (touchpoint, team) drops from what the
 * range read. A store projected before the index has no items: a marker item says the index was built,
 * and until it exists the first reader builds it once from the `subjects` partition and each change's
 * state (a read of the whole history, once).
 */
import type { Window } from '../domain/model.ts';
import { windowIndexKey, type WindowPartitions } from './window-index.ts';

export const SHORT_CHANGES_PK = 'changes#byStart';
export const LONG_CHANGES_PK = 'changes#long';
/**
 * Present once the index holds every change (written by the first build). `built-2`: since its items carry
 * the touchpoints' effects; a store indexed before (marker `built`) is built again once, to add them.
 */
export const CHANGE_INDEX_MARKER = { pk: 'changes#index', sk: 'built-2' } as const;
export const CHANGE_INDEX_PARTITIONS: WindowPartitions = { short: SHORT_CHANGES_PK, long: LONG_CHANGES_PK };

/** What an index item holds besides the list's fields: what the touchpoint and team filters need. */
export interface ChangeFilterFields {
  /** The change's own team. */
  team?: string;
  /** Touchpoints the change hits. */
  hit: string[];
  /** Teams owning those touchpoints, as the graph said when the change was assessed. */
  touchpointTeams: string[];
}

/** The key of a change's index item for a window. */
export const changeIndexKey = (subjectKey: string, window: Window) => windowIndexKey(CHANGE_INDEX_PARTITIONS, subjectKey, window);
