/**
 * The metrics facts by window (functions/adapters/metrics-facts.ts) against DynamoDB Local: written by
 * the assessment's fan-in (Projections.putMetricsFacts), the first notice recorded by notify
 * (Projections.markSentCounted), read by range (Projections.metricsFactsIn), built once for old stores.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LONG_CHANGE_MS } from '../../functions/adapters/dynamodb/layout.ts';
import { LEGACY_METRICS_PK, METRICS_PARTITIONS, type MetricsFactsOf } from '../../functions/adapters/metrics-facts.ts';
import { Projections } from '../../functions/adapters/projections.ts';
import { impactMetrics, type SubjectFacts } from '../../functions/domain/metrics.ts';
import type { Window } from '../../functions/domain/model.ts';
import { initialSubject } from '../../functions/domain/subject.ts';
import { inRange } from '../../functions/domain/support.ts';
import { countCommands } from '../support/faults.ts';
import { freshTables } from '../support/dynamodb.ts';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const T0 = Date.parse('2026-12-05T00:00:00Z');

const facts = (id: string, eventVersion: number, window: Window, type: 'change' | 'incident' = 'incident'): MetricsFactsOf => ({
  subjectKey: `${type}#${id}`,
  eventVersion,
  state: {
    ...initialSubject(type, id),
    opened: true,
    status: type === 'change' ? 'completed' : window.end === undefined ? 'investigating' : 'resolved',
    title: id,
    window,
  },
  customers: 10 * eventVersion,
  touchpoints: ['web-booking'],
});

/** Every fact item of the index, as stored (stale ones included). */
const factItems = async (client: DynamoDBDocumentClient, table: string) => {
  const items: Record<string, unknown>[] = [];
  for (const pk of [METRICS_PARTITIONS.short, METRICS_PARTITIONS.long]) {
    const out = await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
  }
  return items;
};

const setup = async () => {
  const { client, tables } = await freshTables();
  const projections = new Projections(client, tables.impacts);
  await projections.ensureMetricsIndex();
  return { client, table: tables.impacts, projections };
};

/** A notice sent about a subject, marked and counted as notify does. */
const notice = (projections: Projections, subjectKey: string, customerId: string, sentAt: number) =>
  projections.markSentCounted(subjectKey, [{ subjectKey, customerId, kind: 'incident-notice', version: 1, channel: 'email', sentAt }], sentAt);

const read = (projections: Projections, range: { from: number; to: number }) => projections.metricsFactsIn(range);

describe('metrics facts: written under the window of the version they hold', () => {
  it('a moved window leaves no item behind: short to short, short to long, long to open, open to short', async () => {
    const { client, table, projections } = await setup();
    const windows: Window[] = [
      { start: T0 + 2 * H, end: T0 + 4 * H },
      { start: T0 + 2 * DAY, end: T0 + 2 * DAY + 3 * H },
      { start: T0 + 2 * DAY, end: T0 + 5 * DAY },
      { start: T0 + 2 * DAY },
      { start: T0 + 9 * DAY, end: T0 + 9 * DAY + H },
    ];
    for (const [i, window] of windows.entries()) {
      expect(await projections.putMetricsFacts(facts('INC-1', i + 1, window))).toBe(true);
      const items = await factItems(client, table);
      expect(items, `version ${i + 1}`).toHaveLength(1);
      expect(items[0]).toMatchObject({ subjectKey: 'incident#INC-1', eventVersion: i + 1, customers: 10 * (i + 1) });
      expect(JSON.parse(String(items[0].state)).window).toEqual(window);
    }
    expect(await read(projections, { from: T0, to: T0 + DAY })).toEqual([]);
    expect((await read(projections, { from: T0 + 9 * DAY, to: T0 + 10 * DAY })).map((f) => f.customers)).toEqual([50]);
  });

  it('an older version arriving late writes nothing; the same version again is written (replay)', async () => {
    const { client, table, projections } = await setup();
    expect(await projections.putMetricsFacts(facts('INC-2', 2, { start: T0 + 5 * DAY, end: T0 + 5 * DAY + H }))).toBe(true);
    expect(await projections.putMetricsFacts(facts('INC-2', 1, { start: T0, end: T0 + H }))).toBe(false);
    expect(await factItems(client, table)).toEqual([expect.objectContaining({ eventVersion: 2, customers: 20 })]);
    expect(await read(projections, { from: T0, to: T0 + DAY })).toEqual([]);
    expect(await projections.putMetricsFacts({ ...facts('INC-2', 2, { start: T0 + 5 * DAY, end: T0 + 5 * DAY + H }), customers: 21 })).toBe(true);
    expect(await factItems(client, table)).toEqual([expect.objectContaining({ eventVersion: 2, customers: 21 })]);
  });

  it('writers of different versions racing leave one item, the newest version', async () => {
    const { client, table, projections } = await setup();
    const versions = [5, 2, 8, 1, 7, 3, 6, 4];
    const windowOf = (v: number): Window => (v === 6 ? { start: T0 + v * DAY } : { start: T0 + v * DAY, end: T0 + v * DAY + (v % 2 ? H : 3 * DAY) });
    await Promise.all(versions.map((v) => projections.putMetricsFacts(facts('INC-3', v, windowOf(v)))));
    const items = await factItems(client, table);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ eventVersion: 8 });
    expect(JSON.parse(String(items[0].state)).window).toEqual(windowOf(8));
  });

  it('an open incident is read by every range from its start on; once resolved, only by the ranges it overlaps', async () => {
    const { projections } = await setup();
    await projections.putMetricsFacts(facts('INC-OPEN', 1, { start: T0 }));
    for (const from of [T0, T0 + 30 * DAY, T0 + 400 * DAY]) expect(await read(projections, { from, to: from + DAY }), `from ${from}`).toHaveLength(1);
    await projections.putMetricsFacts(facts('INC-OPEN', 2, { start: T0, end: T0 + 3 * DAY }));
    expect(await read(projections, { from: T0 + 30 * DAY, to: T0 + 31 * DAY })).toEqual([]);
    expect(await read(projections, { from: T0 + 2 * DAY, to: T0 + 4 * DAY })).toHaveLength(1);
  });
});

describe('metrics facts: the first notice', () => {
  it('recorded before the facts exist (notices go out before the fan-in), it is on the facts once written', async () => {
    const { projections } = await setup();
    await notice(projections, 'incident#INC-4', 'C-1', T0 + 7 * MIN);
    await projections.putMetricsFacts(facts('INC-4', 1, { start: T0 }));
    expect(await read(projections, { from: T0, to: T0 + DAY })).toEqual([expect.objectContaining({ firstNoticeAt: T0 + 7 * MIN })]);
  });

  it('recorded after, it is on the facts; it follows them when the window moves', async () => {
    const { client, table, projections } = await setup();
    await projections.putMetricsFacts(facts('INC-5', 1, { start: T0 }));
    await notice(projections, 'incident#INC-5', 'C-1', T0 + 3 * MIN);
    await notice(projections, 'incident#INC-5', 'C-2', T0 + 9 * MIN);
    await projections.putMetricsFacts(facts('INC-5', 2, { start: T0, end: T0 + 2 * H }));
    expect(await factItems(client, table)).toEqual([expect.objectContaining({ eventVersion: 2, firstNoticeAt: T0 + 3 * MIN })]);
  });

  it('the earliest of several workers is kept, whatever order they record in', async () => {
    const { projections, client, table } = await setup();
    await projections.putMetricsFacts(facts('INC-6', 1, { start: T0 }));
    // Three notify instances, each sending its first batch about the subject; the latest records first.
    const workers = [0, 1, 2].map(() => new Projections(client, table));
    await notice(workers[0], 'incident#INC-6', 'C-1', T0 + 9 * MIN);
    await Promise.all([notice(workers[1], 'incident#INC-6', 'C-2', T0 + 4 * MIN), notice(workers[2], 'incident#INC-6', 'C-3', T0 + 6 * MIN)]);
    expect(await read(projections, { from: T0, to: T0 + DAY })).toEqual([expect.objectContaining({ firstNoticeAt: T0 + 4 * MIN })]);
    // The counters count every notice, the ledger has each.
    expect((await projections.noticeCounts('incident#INC-6')).byKind['incident-notice']).toBe(3);
  });

  it('an instance reads the anchor once per subject: later batches are their marks and a plain counting transaction', async () => {
    const { projections, client } = await setup();
    await projections.putMetricsFacts(facts('INC-7', 1, { start: T0 }));
    await notice(projections, 'incident#INC-7', 'C-1', T0 + MIN);
    const commands = countCommands(client);
    for (let i = 2; i < 6; i++) await notice(projections, 'incident#INC-7', `C-${i}`, T0 + i * MIN);
    expect(Object.fromEntries(commands)).toEqual({ BatchWriteItemCommand: 4, TransactWriteItemsCommand: 4 });
  });
});

describe('metrics facts: what a range reads', () => {
  it('any range: the same metrics as the fold over every subject, reading only the overlapping ones and the documented look-around', async () => {
    const { projections } = await setup();
    const HOUR_SLOTS = 24 * 20;
    const subjectArb = fc.record({
      start: fc.integer({ min: 0, max: HOUR_SLOTS }).map((h) => T0 + h * H),
      hours: fc.option(fc.integer({ min: 1, max: 24 * 6 }), { nil: undefined, freq: 6 }),
      change: fc.boolean(),
      noticeAfter: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
    });
    const subjects = fc.sample(subjectArb, { numRuns: 60, seed: 1206 });
    const all: SubjectFacts[] = [];
    for (const [i, { start, hours, change, noticeAfter }] of subjects.entries()) {
      const f = facts(`S-${i}`, 1, hours === undefined ? { start } : { start, end: start + hours * H }, change ? 'change' : 'incident');
      await projections.putMetricsFacts(f);
      if (noticeAfter !== undefined) await notice(projections, f.subjectKey, 'C-1', start + noticeAfter * MIN);
      all.push({
        state: f.state,
        customers: f.customers,
        touchpoints: f.touchpoints,
        ...(noticeAfter !== undefined ? { firstNoticeAt: start + noticeAfter * MIN } : {}),
      });
    }
    const now = T0 + (HOUR_SLOTS + 24) * H;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -48, max: HOUR_SLOTS + 48 }), fc.integer({ min: 1, max: 24 * 10 }), async (h, hours) => {
        const range = { from: T0 + h * H + 30 * MIN, to: T0 + (h + hours) * H + 30 * MIN };
        const got = await read(projections, range);
        expect(impactMetrics(got, range, now)).toEqual(impactMetrics(all, range, now));
        for (const { state } of got) {
          if (inRange(state.window, range)) continue;
          const w = state.window;
          const short = w.end !== undefined && w.end - w.start <= LONG_CHANGE_MS;
          const allowed = short ? w.start >= range.from - LONG_CHANGE_MS : w.start >= range.to;
          expect(allowed, `${state.id} ${JSON.stringify(w)} read for ${JSON.stringify(range)}`).toBe(true);
        }
      }),
      { numRuns: 60, seed: 1207 },
    );
  });
});

describe('metrics facts: a store written before the index', () => {
  /** A fact as the writer before the index stored it, and the counters notify kept. */
  const oldFact = async (client: DynamoDBDocumentClient, table: string, f: MetricsFactsOf, firstSent: (number | undefined)[]) => {
    await client.send(
      new PutCommand({ TableName: table, Item: { pk: LEGACY_METRICS_PK, sk: f.subjectKey, kind: 'metrics', ...f, state: JSON.stringify(f.state) } }),
    );
    for (const [n, at] of firstSent.entries()) {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: { pk: `counts#${f.subjectKey}#${n}`, sk: 'counts', k_notice: 1, ...(at !== undefined ? { firstSentAt: at } : {}) },
        }),
      );
    }
  };

  it('is built once: every old fact under its window, its first notice the earliest of its counters, the old partition emptied', async () => {
    const { client, tables } = await freshTables();
    const table = tables.impacts;
    await oldFact(client, table, facts('OLD-1', 3, { start: T0, end: T0 + 2 * H }), [T0 + 12 * MIN, undefined, T0 + 8 * MIN]);
    await oldFact(client, table, facts('OLD-2', 1, { start: T0 - 40 * DAY }), []);
    await oldFact(client, table, facts('OLD-3', 1, { start: T0 - 90 * DAY, end: T0 - 89 * DAY }, 'change'), [T0 - 90 * DAY]);
    // Assessed anew by the new writer before anyone asked for metrics: its newer facts stay, the counters' first notice joins them.
    await oldFact(client, table, facts('OLD-4', 1, { start: T0 + H, end: T0 + 2 * H }), [T0 + H + 2 * MIN]);
    const projections = new Projections(client, table);
    await projections.putMetricsFacts(facts('OLD-4', 2, { start: T0 + H, end: T0 + 3 * H }));

    await projections.ensureMetricsIndex();
    const day = await projections.metricsFactsIn({ from: T0, to: T0 + DAY });
    expect(day.map((f) => [f.state.id, f.customers, f.firstNoticeAt]).sort()).toEqual([
      ['OLD-1', 30, T0 + 8 * MIN],
      ['OLD-2', 10, undefined],
      ['OLD-4', 20, T0 + H + 2 * MIN],
    ]);
    // The open OLD-2 is read too (a long window starting after the range: the look-around), and does not overlap.
    const earlier = { from: T0 - 91 * DAY, to: T0 - 90 * DAY + H };
    expect((await projections.metricsFactsIn(earlier)).filter((f) => inRange(f.state.window, earlier))).toEqual([
      expect.objectContaining({ customers: 10, firstNoticeAt: T0 - 90 * DAY }),
    ]);
    const left = await client.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': LEGACY_METRICS_PK } }),
    );
    expect(left.Items).toEqual([]);
    expect(await factItems(client, table)).toHaveLength(4);

    // Built: another reader (a new Lambda instance) reads the marker only.
    const next = new Projections(client, table);
    const commands = countCommands(client);
    await next.ensureMetricsIndex();
    expect([...commands.values()].reduce((a, b) => a + b, 0)).toBe(1);
  });
});
