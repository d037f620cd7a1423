/**
 * The open incidents' index (functions/adapters/open-incidents.ts) against DynamoDB Local: written with the
 * incident's state by Projections.putSubject, deleted in that write when the incident resolves, read by
 * Projections.openIncidents, built once for stores that predate it.
 */
import { describe, expect, it } from 'vitest';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OPEN_INCIDENTS_PK } from '../../functions/adapters/open-incidents.ts';
import { Projections, type SubjectProjection } from '../../functions/adapters/projections.ts';
import type { AssessedTouchpoint, SubjectState } from '../../functions/domain/model.ts';
import { initialSubject } from '../../functions/domain/subject.ts';
import { countCommands } from '../support/faults.ts';
import { beforeIndexBuildWrite, storeBeforeIndexes } from '../support/projections.ts';
import { freshTables } from '../support/dynamodb.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-12-05T08:00:00Z');
const KIOSKS: AssessedTouchpoint = { id: 'kiosk-ams', channel: 'kiosk', effect: 'outage', path: ['net-ams', 'kiosk-ams'] };
const WEB: AssessedTouchpoint = { id: 'web-booking', channel: 'web', effect: 'degraded', path: ['payments-api', 'web-booking'] };

/** An incident's projection at a version: open (investigating) unless `resolved`. */
const incident = (id: string, eventVersion: number, resolved: boolean, touchpoints: AssessedTouchpoint[] = [KIOSKS]): SubjectProjection => ({
  subjectKey: `incident#${id}`,
  eventVersion,
  state: {
    ...initialSubject('incident', id),
    opened: true,
    status: resolved ? 'resolved' : 'investigating',
    title: `${id} v${eventVersion}`,
    severity: 'sev2',
    window: resolved ? { start: T0, end: T0 + eventVersion * H } : { start: T0 },
  },
  summary: { touchpoints: touchpoints.length, customers: 5, byEffect: {}, byChannel: {}, bySegment: {}, unreachable: 0 },
  touchpoints,
  unknownNodes: [],
  graphVersion: 1,
  updatedAt: T0,
});

/** Every item of the index, as stored. */
const indexItems = async (client: DynamoDBDocumentClient, table: string) =>
  ((await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': OPEN_INCIDENTS_PK } })))
    .Items ?? []) as Record<string, unknown>[];

const setup = async () => {
  const { client, tables } = await freshTables();
  const projections = new Projections(client, tables.impacts);
  // A fresh store: its index is empty and built (nothing to build from).
  await projections.ensureIncidentIndex();
  return { client, table: tables.impacts, projections };
};

describe('open incidents: written with the incident state', () => {
  it('an open incident is listed with the effect on each touchpoint it hits; resolving it removes the item', async () => {
    const { client, table, projections } = await setup();
    expect(await projections.putSubject(incident('INC-1', 1, false))).toBe(true);
    expect(await projections.openIncidents()).toEqual([
      expect.objectContaining({
        subjectKey: 'incident#INC-1',
        status: 'investigating',
        title: 'INC-1 v1',
        eventVersion: 1,
        effects: { 'kiosk-ams': 'outage' },
      }),
    ]);
    // An update that widens the impact rewrites the item.
    expect(await projections.putSubject(incident('INC-1', 2, false, [KIOSKS, WEB]))).toBe(true);
    expect(await projections.openIncidents()).toEqual([
      expect.objectContaining({ eventVersion: 2, touchpoints: 2, effects: { 'kiosk-ams': 'outage', 'web-booking': 'degraded' } }),
    ]);
    expect(await projections.putSubject(incident('INC-1', 3, true))).toBe(true);
    expect(await indexItems(client, table)).toEqual([]);
    // Still an incident of the history, resolved.
    expect(await projections.incidents()).toEqual([expect.objectContaining({ subjectKey: 'incident#INC-1', status: 'resolved', eventVersion: 3 })]);
  });

  it('a late older version (still open) does not bring a resolved incident back', async () => {
    const { client, table, projections } = await setup();
    await projections.putSubject(incident('INC-2', 1, false));
    await projections.putSubject(incident('INC-2', 3, true));
    expect(await projections.putSubject(incident('INC-2', 2, false))).toBe(false);
    expect(await indexItems(client, table)).toEqual([]);
    expect((await projections.getSubject('incident#INC-2'))?.state.status).toBe('resolved');
    // The same version again (a replay) rewrites what it says: still resolved, still no item.
    expect(await projections.putSubject(incident('INC-2', 3, true))).toBe(true);
    expect(await indexItems(client, table)).toEqual([]);
  });

  it('reopened (a newer version open again): listed again', async () => {
    const { projections } = await setup();
    await projections.putSubject(incident('INC-3', 1, false));
    await projections.putSubject(incident('INC-3', 2, true));
    await projections.putSubject(incident('INC-3', 3, false));
    expect((await projections.openIncidents()).map((i) => [i.subjectKey, i.eventVersion])).toEqual([['incident#INC-3', 3]]);
  });

  it('writers of different versions racing: the newest version decides, open or resolved', async () => {
    const { client, table, projections } = await setup();
    const versions = [5, 2, 8, 1, 7, 3, 6, 4];
    // RACE-A ends resolved (version 8 resolves it, 6 of the older ones are open); RACE-B ends open after resolved versions.
    const resolvedA = (v: number) => v === 8 || v === 3;
    const resolvedB = (v: number) => v !== 8;
    const written = await Promise.all(
      versions.flatMap((v) => [projections.putSubject(incident('RACE-A', v, resolvedA(v))), projections.putSubject(incident('RACE-B', v, resolvedB(v)))]),
    );
    expect(written.filter(Boolean).length).toBeGreaterThanOrEqual(2);
    const items = await indexItems(client, table);
    expect(items.map((i) => [i.subjectKey, i.eventVersion])).toEqual([['incident#RACE-B', 8]]);
    expect((await projections.getSubject('incident#RACE-A'))?.eventVersion).toBe(8);
    expect((await projections.getSubject('incident#RACE-B'))?.eventVersion).toBe(8);
  });

  it('a change is never in it', async () => {
    const { client, table, projections } = await setup();
    const open = incident('CHG-1', 1, false);
    await projections.putSubject({
      ...open,
      subjectKey: 'change#CHG-1',
      state: { ...open.state, type: 'change', status: 'scheduled', window: { start: T0, end: T0 + H } },
    });
    expect(await indexItems(client, table)).toEqual([]);
    expect(await projections.incidents()).toEqual([]);
  });
});

describe('open incidents: a store projected before the index', () => {
  const asChange = (p: SubjectProjection): SubjectProjection => ({
    ...p,
    subjectKey: p.subjectKey.replace('incident#', 'change#'),
    state: { ...p.state, type: 'change', status: 'scheduled' } as SubjectState,
  });

  it('is built once from the open incidents of the subjects and their states; later readers read the marker only', async () => {
    const { client, tables } = await freshTables();
    const table = tables.impacts;
    await storeBeforeIndexes(client, table, incident('OLD-OPEN', 4, false, [KIOSKS, WEB]));
    await storeBeforeIndexes(client, table, incident('OLD-DONE', 2, true));
    await storeBeforeIndexes(client, table, asChange(incident('OLD-CHG', 1, false)));
    const projections = new Projections(client, table);
    expect(await projections.openIncidents()).toEqual([]);
    await projections.ensureIncidentIndex();
    expect(await projections.openIncidents()).toEqual([
      expect.objectContaining({ subjectKey: 'incident#OLD-OPEN', eventVersion: 4, effects: { 'kiosk-ams': 'outage', 'web-booking': 'degraded' } }),
    ]);

    const next = new Projections(client, table);
    const commands = countCommands(client);
    await next.ensureIncidentIndex();
    await next.ensureIncidentIndex();
    expect([...commands.values()].reduce((a, b) => a + b, 0)).toBe(1);
    // Kept right from there on: resolving the old incident removes its item.
    await next.putSubject(incident('OLD-OPEN', 5, true));
    expect(await next.openIncidents()).toEqual([]);
  });

  it('an incident resolved while the index is built is not brought back by the build', async () => {
    const { client, tables } = await freshTables();
    const table = tables.impacts;
    await storeBeforeIndexes(client, table, incident('INC-9', 1, false));
    const projections = new Projections(client, table);
    // Version 2 resolves it after the builder read version 1's state, just before the builder writes its item.
    const resolved = beforeIndexBuildWrite(client, () => projections.putSubject(incident('INC-9', 2, true)));
    await new Projections(client, table).ensureIncidentIndex();
    expect(resolved()).toBe(true);
    expect(await indexItems(client, table)).toEqual([]);
    expect((await projections.getSubject('incident#INC-9'))?.state.status).toBe('resolved');
  });
});
