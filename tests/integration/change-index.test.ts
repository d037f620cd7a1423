/**
 * The changes index (functions/adapters/change-index.ts) against DynamoDB Local: written with the subject
 * state by Projections.putSubject, read by Projections.changesIn, built once for stores that predate it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CHANGE_INDEX_MARKER, LONG_CHANGES_PK, SHORT_CHANGES_PK } from '../../functions/adapters/change-index.ts';
import { LONG_CHANGE_MS } from '../../functions/adapters/dynamodb/layout.ts';
import { Projections, type SubjectProjection } from '../../functions/adapters/projections.ts';
import type { Window } from '../../functions/domain/model.ts';
import { initialSubject } from '../../functions/domain/subject.ts';
import { inRange } from '../../functions/domain/support.ts';
import { countCommands } from '../support/faults.ts';
import { freshTables } from '../support/dynamodb.ts';
import { beforeIndexBuildWrite, storeBeforeIndexes } from '../support/projections.ts';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.parse('2026-12-05T00:00:00Z');

const change = (id: string, eventVersion: number, window: Window, extra: Partial<SubjectProjection> = {}): SubjectProjection => ({
  subjectKey: `change#${id}`,
  eventVersion,
  state: { ...initialSubject('change', id), opened: true, status: 'scheduled', title: id, team: 'payments', window },
  summary: { touchpoints: 1, customers: 2, byEffect: {}, byChannel: {}, bySegment: {}, unreachable: 0 },
  touchpoints: [{ id: 'web-booking', channel: 'web', effect: 'outage', path: ['payments-db', 'web-booking'] }],
  touchpointTeams: { 'web-booking': 'digital' },
  unknownNodes: [],
  graphVersion: 1,
  updatedAt: T0,
  ...extra,
});

/** Every item of the index, as stored (stale ones included). */
const indexItems = async (client: DynamoDBDocumentClient, table: string) => {
  const items: Record<string, unknown>[] = [];
  for (const pk of [SHORT_CHANGES_PK, LONG_CHANGES_PK]) {
    const out = await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
  }
  return items;
};

const setup = async () => {
  const { client, tables } = await freshTables();
  const projections = new Projections(client, tables.impacts);
  // A fresh store: its index is empty and built (nothing to build from).
  await projections.ensureChangeIndex(async () => ({ touchpoints: new Map() }));
  return { client, table: tables.impacts, projections };
};

const keysIn = async (projections: Projections, range: { from?: number; to?: number }) => (await projections.changesIn(range)).map((c) => c.subjectKey).sort();

describe('changes index: written with the subject state', () => {
  it('a moved window leaves no item behind: short to short, short to long, long to short', async () => {
    const { client, table, projections } = await setup();
    const windows: Window[] = [
      { start: T0 + 2 * H, end: T0 + 4 * H },
      { start: T0 + 2 * DAY, end: T0 + 2 * DAY + 3 * H },
      { start: T0 + 2 * DAY, end: T0 + 5 * DAY },
      { start: T0 + 2 * DAY },
      { start: T0 + 9 * DAY, end: T0 + 9 * DAY + H },
    ];
    for (const [i, window] of windows.entries()) {
      expect(await projections.putSubject(change('CHG-1', i + 1, window))).toBe(true);
      const items = await indexItems(client, table);
      expect(items, `version ${i + 1}`).toHaveLength(1);
      expect(items[0]).toMatchObject({ subjectKey: 'change#CHG-1', eventVersion: i + 1, start: window.start });
      expect(items[0].end).toBe(window.end);
    }
    // The first day no longer holds it; the last window's day does.
    expect(await keysIn(projections, { from: T0, to: T0 + DAY })).toEqual([]);
    expect(await keysIn(projections, { from: T0 + 9 * DAY, to: T0 + 10 * DAY })).toEqual(['change#CHG-1']);
  });

  it('an older version arriving late changes neither the state nor the index', async () => {
    const { client, table, projections } = await setup();
    expect(await projections.putSubject(change('CHG-2', 2, { start: T0 + 5 * DAY, end: T0 + 5 * DAY + H }))).toBe(true);
    expect(await projections.putSubject(change('CHG-2', 1, { start: T0, end: T0 + H }))).toBe(false);
    expect(await indexItems(client, table)).toEqual([expect.objectContaining({ eventVersion: 2, start: T0 + 5 * DAY })]);
    expect(await keysIn(projections, { from: T0, to: T0 + DAY })).toEqual([]);
    expect((await projections.getSubject('change#CHG-2'))?.eventVersion).toBe(2);
  });

  it('writers of different versions racing leave one item, the newest version', async () => {
    const { client, table, projections } = await setup();
    // Each version a window of its own, some short, some long, one open; written all at once in a shuffled order.
    const versions = [5, 2, 8, 1, 7, 3, 6, 4];
    const windowOf = (v: number): Window => (v === 6 ? { start: T0 + v * DAY } : { start: T0 + v * DAY, end: T0 + v * DAY + (v % 2 ? H : 3 * DAY) });
    const written = await Promise.all(versions.map((v) => projections.putSubject(change('CHG-3', v, windowOf(v)))));
    expect(written[versions.indexOf(8)]).toBe(true);
    const items = await indexItems(client, table);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ eventVersion: 8, start: windowOf(8).start, end: windowOf(8).end });
    expect((await projections.getSubject('change#CHG-3'))?.state.window).toEqual(windowOf(8));
  });

  it('an incident is not in the changes index (the list of subjects still has it)', async () => {
    const { client, table, projections } = await setup();
    const incident = change('INC-1', 1, { start: T0 });
    await projections.putSubject({ ...incident, subjectKey: 'incident#INC-1', state: { ...incident.state, type: 'incident', status: 'investigating' } });
    expect(await indexItems(client, table)).toEqual([]);
    expect((await projections.listSubjects()).map((s) => s.subjectKey)).toEqual(['incident#INC-1']);
  });
});

describe('changes index: what a range reads', () => {
  it('open-ended and long windows: listed by every range they overlap, not by the ranges next to them', async () => {
    const { projections } = await setup();
    const windows: Record<string, Window> = {
      OPEN: { start: T0 + DAY },
      LONG: { start: T0 - 30 * DAY, end: T0 + 3 * DAY },
      SHORT: { start: T0 + 2 * H, end: T0 + 4 * H },
    };
    for (const [id, window] of Object.entries(windows)) await projections.putSubject(change(id, 1, window));
    /** What GET /changes lists: what the index read, kept when it overlaps. */
    const listed = async (range: { from?: number; to?: number }) =>
      (await projections.changesIn(range))
        .filter((c) => inRange(windows[c.id], range))
        .map((c) => c.id)
        .sort();
    expect(await listed({ from: T0 + 50 * DAY, to: T0 + 51 * DAY })).toEqual(['OPEN']);
    expect(await listed({ from: T0 + 100 * DAY })).toEqual(['OPEN']);
    expect(await listed({ to: T0 + DAY })).toEqual(['LONG', 'SHORT']);
    expect(await listed({ from: T0 - 20 * DAY, to: T0 - 19 * DAY })).toEqual(['LONG']);
    expect(await listed({ from: T0 + 3 * DAY, to: T0 + 4 * DAY })).toEqual(['OPEN']);
    expect(await listed({})).toEqual(['LONG', 'OPEN', 'SHORT']);
    // What is read besides: a long change ending exactly at `from` is not (no overlap), one starting after `to` is.
    expect(await keysIn(projections, { from: T0 + 3 * DAY, to: T0 + 4 * DAY })).toEqual(['change#OPEN']);
    expect(await keysIn(projections, { from: T0 - 20 * DAY, to: T0 - 19 * DAY })).toEqual(['change#LONG', 'change#OPEN']);
  });

  it('any range: every change that overlaps it, and beyond those only the documented look-around', async () => {
    const { projections } = await setup();
    const HOUR_SLOTS = 24 * 20;
    const windowArb = fc.record({
      start: fc.integer({ min: 0, max: HOUR_SLOTS }).map((h) => T0 + h * H),
      hours: fc.option(fc.integer({ min: 1, max: 24 * 6 }), { nil: undefined, freq: 6 }),
    });
    const windows = fc
      .sample(windowArb, { numRuns: 60, seed: 1204 })
      .map(({ start, hours }): Window => (hours === undefined ? { start } : { start, end: start + hours * H }));
    for (const [i, window] of windows.entries()) await projections.putSubject(change(`CHG-${i}`, 1, window));
    const bound = fc.option(
      fc.integer({ min: -48, max: HOUR_SLOTS + 48 }).map((h) => T0 + h * H + 30 * 60_000),
      { nil: undefined, freq: 4 },
    );
    await fc.assert(
      fc.asyncProperty(bound, bound, async (a, b) => {
        const range = a !== undefined && b !== undefined ? { from: Math.min(a, b), to: Math.max(a, b) + H } : { from: a, to: b };
        const read = new Map((await projections.changesIn(range)).map((c) => [c.subjectKey, c]));
        windows.forEach((w, i) => {
          const key = `change#CHG-${i}`;
          if (inRange(w, range)) expect(read.has(key), `${key} ${JSON.stringify(w)} in ${JSON.stringify(range)}`).toBe(true);
          else if (read.has(key)) {
            // Read but not overlapping: a short change that started within LONG_CHANGE_MS before `from`, or a long one starting at or after `to`.
            const short = w.end !== undefined && w.end - w.start <= LONG_CHANGE_MS;
            const allowed = short ? range.from !== undefined && w.start >= range.from - LONG_CHANGE_MS : range.to !== undefined && w.start >= range.to;
            expect(allowed, `${key} ${JSON.stringify(w)} read for ${JSON.stringify(range)}`).toBe(true);
          }
        });
        expect(read.size).toBeLessThanOrEqual(windows.length);
      }),
      { numRuns: 60, seed: 1205 },
    );
  });
});

describe('changes index: a store projected before it', () => {
  it('is built once from the subjects and their states, teams from the graph where the state has none', async () => {
    const { client, tables } = await freshTables();
    const table = tables.impacts;
    // The items the projection writer stored before the index: the state and the list item, nothing else.
    const old = [
      change('OLD-1', 3, { start: T0 + 2 * H, end: T0 + 4 * H }, { touchpointTeams: undefined }),
      change('OLD-2', 1, { start: T0 - 10 * DAY, end: T0 + 10 * DAY }, { touchpointTeams: undefined, touchpoints: [] }),
    ];
    const incident = change('INC-OLD', 1, { start: T0 });
    for (const p of [...old, { ...incident, subjectKey: 'incident#INC-OLD', state: { ...incident.state, type: 'incident' as const } }])
      await storeBeforeIndexes(client, table, p);
    const projections = new Projections(client, table);
    let graphRead = 0;
    const graph = async () => {
      graphRead++;
      return { touchpoints: new Map([['web-booking', { id: 'web-booking', channel: 'web' as const, team: 'digital', dependsOn: [] }]]) };
    };
    await projections.ensureChangeIndex(graph);
    const found = await projections.changesIn({ from: T0, to: T0 + DAY });
    expect(found.map((c) => c.subjectKey).sort()).toEqual(['change#OLD-1', 'change#OLD-2']);
    expect(found.find((c) => c.subjectKey === 'change#OLD-1')).toMatchObject({
      eventVersion: 3,
      hit: ['web-booking'],
      effects: { 'web-booking': 'outage' },
      touchpointTeams: ['digital'],
      team: 'payments',
    });
    expect(graphRead).toBe(1);

    // Built: another reader (a new Lambda instance) reads the marker only, and the index stays right as changes move.
    const next = new Projections(client, table);
    const commands = countCommands(client);
    await next.ensureChangeIndex(graph);
    expect([graphRead, [...commands.values()].reduce((a, b) => a + b, 0)]).toEqual([1, 1]);
    await next.putSubject(change('OLD-1', 4, { start: T0 + 20 * DAY, end: T0 + 20 * DAY + H }));
    expect((await next.changesIn({ from: T0, to: T0 + DAY })).map((c) => c.subjectKey)).toEqual(['change#OLD-2']);
    expect(await indexItems(client, table)).toHaveLength(2);
  });

  it("a store indexed before the items carried the touchpoints' effects is built again once, adding them", async () => {
    const { client, tables } = await freshTables();
    const table = tables.impacts;
    const projections = new Projections(client, table);
    await projections.putSubject(change('CHG-E', 2, { start: T0, end: T0 + H }));
    // As the index was before: items without effects, and the marker of that build.
    for (const item of await indexItems(client, table)) {
      const { effects: _effects, ...before } = item;
      await client.send(new PutCommand({ TableName: table, Item: before }));
    }
    await client.send(new DeleteCommand({ TableName: table, Key: CHANGE_INDEX_MARKER }));
    await client.send(new PutCommand({ TableName: table, Item: { pk: 'changes#index', sk: 'built', kind: 'marker', changes: 1 } }));
    expect((await projections.changesIn({ from: T0, to: T0 + DAY }))[0].effects).toBeUndefined();
    const next = new Projections(client, table);
    await next.ensureChangeIndex(async () => ({ touchpoints: new Map() }));
    expect(await next.changesIn({ from: T0, to: T0 + DAY })).toEqual([
      expect.objectContaining({ subjectKey: 'change#CHG-E', effects: { 'web-booking': 'outage' } }),
    ]);
    expect(await indexItems(client, table)).toHaveLength(1);
  });

  it('a change written anew while the index is built keeps only its newest item', async () => {
    const { client, tables } = await freshTables();
    const projections = new Projections(client, tables.impacts);
    await projections.putSubject(change('CHG-9', 1, { start: T0, end: T0 + H }));
    // As if the store predated the index: no marker, no item.
    for (const item of await indexItems(client, tables.impacts))
      await client.send(new DeleteCommand({ TableName: tables.impacts, Key: { pk: item.pk, sk: item.sk } }));
    // Version 2 moves the window after the builder read version 1's state, just before the builder writes its item.
    const moved = beforeIndexBuildWrite(client, () => projections.putSubject(change('CHG-9', 2, { start: T0 + 3 * DAY, end: T0 + 3 * DAY + H })));
    await new Projections(client, tables.impacts).ensureChangeIndex(async () => ({ touchpoints: new Map() }));
    expect(moved()).toBe(true);
    expect(await indexItems(client, tables.impacts)).toEqual([expect.objectContaining({ eventVersion: 2, start: T0 + 3 * DAY })]);
  });
});
