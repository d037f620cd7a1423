/**
 * A window index: one small item per subject, kept so that a time range reads the subjects whose window
 * overlaps it, not the whole history (issue 12, section 3). The changes index (change-index.ts) and the
 * metrics facts (metrics-index.ts) are two of them, each in partitions of its own.
 *
 * Mechanism: a subject whose window is at most LONG_CHANGE_MS long is kept under its start (the `short`
 * partition, sk `<start ISO>#<subject key>`), a longer or open-ended one under its end (the `long`
 * partition, sk `<end ISO>#<subject key>`, `~open` sorting after every time). A range [from, to) is then
 * two queries: short from `from - LONG_CHANGE_MS` to `to` (a short window that overlaps the range starts
 * there) and long ending after `from`. Without a range both partitions are read whole.
 *
 * Limits: beyond what overlaps, a range reads the short windows that started in the LONG_CHANGE_MS before
 * `from` and were over by then, and the long ones that end after `from` but start at or after `to`.
 * Writers keep one item per subject: the item of the window it had is deleted in the transaction that
 * writes the new one, so the item's key must be known to the writer (the subject state, or an anchor).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Range } from '../domain/support.ts';
import type { Window } from '../domain/model.ts';
import { LONG_CHANGE_MS } from './dynamodb/layout.ts';
import { queryAll } from './dynamodb/query.ts';

/** The two partitions of one window index. */
export interface WindowPartitions {
  short: string;
  long: string;
}

/** One query of an index: a partition and, when the range bounds it, a condition on the sort key. */
export interface WindowQuery {
  pk: string;
  condition?: string;
  values: Record<string, string>;
}

const OPEN = '~open';
// ISO 8601 sorts as time only with four-digit years: times beyond them are kept at the edge.
const EARLIEST = Date.parse('0000-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const sortable = (ms: number) => new Date(Math.min(Math.max(ms, EARLIEST), LATEST)).toISOString();

const isLong = (window: Window) => window.end === undefined || window.end - window.start > LONG_CHANGE_MS;

/** The key of a subject's item in the index for a window. */
export const windowIndexKey = ({ short, long }: WindowPartitions, subjectKey: string, window: Window) =>
  isLong(window)
    ? { pk: long, sk: `${window.end === undefined ? OPEN : sortable(window.end)}#${subjectKey}` }
    : { pk: short, sk: `${sortable(window.start)}#${subjectKey}` };

/**
 * The queries that find every subject whose window may overlap the range: exactly the short windows
 * starting in [from - LONG_CHANGE_MS, to) and the long ones ending after `from` (each partition whole
 * when the range leaves its bound open). The caller keeps those that overlap (support.ts `inRange`).
 */
export const windowIndexQueries = ({ short, long }: WindowPartitions, { from, to }: Range): WindowQuery[] => {
  const lo = from === undefined ? undefined : sortable(from - LONG_CHANGE_MS);
  const hi = to === undefined ? undefined : sortable(to);
  // `<start>#<key>` sorts below `<to>` exactly when start < to (a start equal to `to` sorts after it).
  const byStart: WindowQuery =
    lo !== undefined && hi !== undefined
      ? { pk: short, condition: 'sk BETWEEN :lo AND :hi', values: { ':lo': lo, ':hi': hi } }
      : lo !== undefined
        ? { pk: short, condition: 'sk >= :lo', values: { ':lo': lo } }
        : hi !== undefined
          ? { pk: short, condition: 'sk < :hi', values: { ':hi': hi } }
          : { pk: short, values: {} };
  // `~` sorts after every character of a subject key: an end equal to `from` (no overlap) stays out.
  const byEnd: WindowQuery =
    from === undefined ? { pk: long, values: {} } : { pk: long, condition: 'sk > :after', values: { ':after': `${sortable(from)}#~` } };
  return [byStart, byEnd];
};

/** The items of every subject whose window may overlap the range: the two queries, run at once. */
export const queryWindowIndex = async (
  client: DynamoDBDocumentClient,
  table: string,
  partitions: WindowPartitions,
  range: Range,
): Promise<Record<string, unknown>[]> =>
  (
    await Promise.all(
      windowIndexQueries(partitions, range).map(({ pk, condition, values }) =>
        queryAll(client, {
          TableName: table,
          KeyConditionExpression: condition ? `pk = :pk AND ${condition}` : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk, ...values },
        }),
      ),
    )
  ).flat();
