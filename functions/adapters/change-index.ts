/**
 * The changes index: GET /changes reads the changes of its range, not every subject of the history
 * (issue 12, section 3).
 *
 * Mechanism: each change has one small item. A change whose window is at most LONG_CHANGE_MS long is
 * kept under its start (`changes#byStart`, sk `<start ISO>#<subject key>`), a longer or open-ended one
 * under its end (`changes#long`, sk `<end ISO>#<subject key>`, `~open` sorting after every time). A
 * range [from, to) is then two queries: byStart from `from - LONG_CHANGE_MS` to `to` (a short change
 * that overlaps the range starts there) and long ending after `from`. Without a range both partitions
 * are read whole: every change, no incident. Each item carries the list's fields and what the filters
 * need (hit touchpoints, their teams, the change's team), so a filter reads nothing more.
 *
 * Guarantees: the item is written by Projections.putSubject in one transaction with the subject state,
 * conditional on the state's version as read just before, with the delete of the item of the window it
 * had: a moved window leaves nothing behind and an older version never overwrites a newer.
 *
 * Limits: beyond what it returns, a range reads the short changes that started in the LONG_CHANGE_MS
 * before `from` and were over by then, and the long changes that end after `from` but start at or after
 * `to`; a filter (touchpoint, team) drops from what the range read. A store projected before the index
 * has no items: a marker item says the index was built, and until it exists the first reader builds it
 * once from the `subjects` partition and each change's state (a read of the whole history, once).
 */
import type { Range } from '../domain/support.ts';
import type { Window } from '../domain/model.ts';
import { LONG_CHANGE_MS } from './dynamodb/layout.ts';

export const SHORT_CHANGES_PK = 'changes#byStart';
export const LONG_CHANGES_PK = 'changes#long';
/** Present once the index holds every change (written by the first build). */
export const CHANGE_INDEX_MARKER = { pk: 'changes#index', sk: 'built' } as const;
const OPEN = '~open';

/** What an index item holds besides the list's fields: what the touchpoint and team filters need. */
export interface ChangeFilterFields {
  /** The change's own team. */
  team?: string;
  /** Touchpoints the change hits. */
  hit: string[];
  /** Teams owning those touchpoints, as the graph said when the change was assessed. */
  touchpointTeams: string[];
}

// ISO 8601 sorts as time only with four-digit years: times beyond them are kept at the edge.
const EARLIEST = Date.parse('0000-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const sortable = (ms: number) => new Date(Math.min(Math.max(ms, EARLIEST), LATEST)).toISOString();

const isLong = (window: Window) => window.end === undefined || window.end - window.start > LONG_CHANGE_MS;

/** The key of a change's index item for a window. */
export const changeIndexKey = (subjectKey: string, window: Window) =>
  isLong(window)
    ? { pk: LONG_CHANGES_PK, sk: `${window.end === undefined ? OPEN : sortable(window.end)}#${subjectKey}` }
    : { pk: SHORT_CHANGES_PK, sk: `${sortable(window.start)}#${subjectKey}` };

/** One query of the index: a partition and, when the range bounds it, a condition on the sort key. */
export interface ChangeIndexQuery {
  pk: string;
  condition?: string;
  values: Record<string, string>;
}

/**
 * The queries that find every change whose window may overlap the range: exactly the short changes
 * starting in [from - LONG_CHANGE_MS, to) and the long ones ending after `from` (each partition whole
 * when the range leaves its bound open). The caller keeps those that overlap (support.ts `inRange`).
 */
export const changeIndexQueries = ({ from, to }: Range): ChangeIndexQuery[] => {
  const lo = from === undefined ? undefined : sortable(from - LONG_CHANGE_MS);
  const hi = to === undefined ? undefined : sortable(to);
  // `<start>#<key>` sorts below `<to>` exactly when start < to (a start equal to `to` sorts after it).
  const short: ChangeIndexQuery =
    lo !== undefined && hi !== undefined
      ? { pk: SHORT_CHANGES_PK, condition: 'sk BETWEEN :lo AND :hi', values: { ':lo': lo, ':hi': hi } }
      : lo !== undefined
        ? { pk: SHORT_CHANGES_PK, condition: 'sk >= :lo', values: { ':lo': lo } }
        : hi !== undefined
          ? { pk: SHORT_CHANGES_PK, condition: 'sk < :hi', values: { ':hi': hi } }
          : { pk: SHORT_CHANGES_PK, values: {} };
  // `~` sorts after every character of a subject key: an end equal to `from` (no overlap) stays out.
  const long: ChangeIndexQuery =
    from === undefined ? { pk: LONG_CHANGES_PK, values: {} } : { pk: LONG_CHANGES_PK, condition: 'sk > :after', values: { ':after': `${sortable(from)}#~` } };
  return [short, long];
};
