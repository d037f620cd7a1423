import { describe, expect, it } from 'vitest';
import { EventStore } from '../../functions/adapters/event-store.ts';
import { Projections } from '../../functions/adapters/projections.ts';
import { parseEvent } from '../../functions/domain/events/index.ts';
import { impact, scratch } from '../support/cli.ts';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { dynamodbEndpoint, localClientConfig } from '../support/dynamodb.ts';
import { tableNames } from '../../lib/tables.ts';
import { changeScheduled, rawEvent, iso, T0, HOUR } from '../support/events.ts';

const graph = `
components: [{ id: payments-db }, { id: payments-api, dependsOn: [payments-db] }]
touchpoints: [{ id: web, channel: web, dependsOn: [payments-api] }, { id: kiosk, channel: kiosk }]
`;
const customers = `id,segment,locale,timeZone,email,phone,push,channels,optOut,quietStart,quietEnd
C-1,gold,en-GB,Europe/London,one@example.com,,,email,false,,
C-2,basic,en-GB,Europe/London,two@example.com,,,email,false,,
C-3,basic,en-GB,Europe/London,three@example.com,,,email,false,,
`;
const usage = `customerId,touchpoint,from,to
C-1,web,,
C-2,web,,
C-3,kiosk,,
`;

describe('impact graph import and impact replay against DynamoDB Local', () => {
  it('imports as a diff, then replay rebuilds projections from the event store', async () => {
    const prefix = `cli${Date.now() % 100000}-`;
    const f = scratch({ 'graph.yaml': graph, 'customers.csv': customers, 'usage.csv': usage });
    const store = ['--endpoint', dynamodbEndpoint(), '--table-prefix', prefix];
    const first = await impact('graph', 'import', f('graph.yaml'), '--customers', f('customers.csv'), '--usage', f('usage.csv'), ...store, '--create-tables');
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^graph version 1: 10 written, 0 deleted, 0 unchanged; contacts 3 written, 0 deleted/);
    const again = await impact('graph', 'import', f('graph.yaml'), '--customers', f('customers.csv'), '--usage', f('usage.csv'), ...store);
    expect(again.stdout).toMatch(/^graph version 1: 0 written, 0 deleted, 10 unchanged; contacts 0 written, 0 deleted/);

    const client = documentClient(localClientConfig());
    const tables = tableNames(prefix);
    const events = new EventStore(client, tables.events);
    await events.append(parseEvent(changeScheduled({ changeId: 'CHG-1', impacts: [{ node: 'payments-db' }] })));
    await events.append(
      parseEvent(
        rawEvent('Change Updated', { changeId: 'CHG-1', eventId: 'u1', occurredAt: iso(T0 + HOUR), impacts: [{ node: 'payments-db' }, { node: 'kiosk' }] }),
      ),
    );

    const replay = await impact('replay', ...store);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('change#CHG-1: scheduled, 2 touchpoints, 3 customers (was 0)');
    expect(replay.stdout).toContain('replayed 1 subject(s) from 2 event(s); 1 projection(s) changed');
    const projections = new Projections(client, tables.impacts);
    expect((await projections.impactsOfCustomer('C-3')).map((i) => i.subjectKey)).toEqual(['change#CHG-1']);
    expect((await projections.getSubject('change#CHG-1'))?.summary.customers).toBe(3);
    // Replayed impacts are the items the planner writes: the console's customers page finds all three.
    const replayed = await projections.customersOfSubject('change#CHG-1');
    // ...and the subject counts them per (effect, segment), so the API pages it by key.
    const counts = (await projections.getSubject('change#CHG-1'))?.byEffectSegment ?? {};
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(3);
    const pairs = Object.keys(counts).map((key) => ({ effect: key.split('|')[0], segment: key.split('|')[1] }));
    const page = await projections.impactPage('change#CHG-1', pairs, 10);
    expect(page.customers.map((c) => c.customerId).sort()).toEqual(replayed.map((c) => c.customerId).sort());
    expect(page.customers).toHaveLength(3);
    // ...and the changes index holds the change under its window with the touchpoints it hits (GET /changes).
    const { window } = (await projections.getSubject('change#CHG-1'))!.state;
    const indexed = await projections.changesIn({ from: window.start, to: window.start + 1 });
    expect(indexed.map((c) => [c.subjectKey, c.start, c.hit.length])).toEqual([['change#CHG-1', window.start, 2]]);
    const idle = await impact('replay', ...store);
    expect(idle.stdout).toContain('0 projection(s) changed');
  });

  it('replay --subject of a subject the store does not hold exits 2, names it and lists the subjects there are', async () => {
    // Prepare: a store of its own with two subjects.
    const prefix = `cliq${Date.now() % 100000}-`;
    const f = scratch({ 'graph.yaml': graph });
    const store = ['--endpoint', dynamodbEndpoint(), '--table-prefix', prefix];
    expect((await impact('graph', 'import', f('graph.yaml'), ...store, '--create-tables')).code).toBe(0);
    const events = new EventStore(documentClient(localClientConfig()), tableNames(prefix).events);
    await events.append(parseEvent(changeScheduled({ changeId: 'CHG-1', eventId: 'q1' })));
    await events.append(parseEvent(rawEvent('Incident Opened', { incidentId: 'INC-2', eventId: 'q2', title: 'x', severity: 'sev3', impacts: [] })));

    // Act
    const unknown = await impact('replay', ...store, '--subject', 'change#CHG-9');
    const bare = await impact('replay', ...store, '--subject', 'CHG-1');

    // Assess
    expect([unknown.code, unknown.stdout]).toEqual([2, '']);
    expect(unknown.stderr).toContain(`error: --subject "change#CHG-9": the event store (table ${prefix}events) holds no events of that subject`);
    expect(unknown.stderr).toContain('error: subjects in the store (2): change#CHG-1, incident#INC-2; leave out --subject to replay them all');
    expect([bare.code, bare.stdout]).toEqual([2, '']);
    expect(bare.stderr).toContain('did you mean change#CHG-1?');
    const known = await impact('replay', ...store, '--subject', 'change#CHG-1');
    expect(known.stdout).toContain('replayed 1 subject(s) from 2 event(s)');
  });

  it('replay keeps the open incidents right: an open incident listed with its effects, a resolved one not', async () => {
    // Prepare: a store whose event store holds an open and a resolved incident, nothing projected.
    const prefix = `clio${Date.now() % 100000}-`;
    const f = scratch({ 'graph.yaml': graph });
    const store = ['--endpoint', dynamodbEndpoint(), '--table-prefix', prefix];
    expect((await impact('graph', 'import', f('graph.yaml'), ...store, '--create-tables')).code).toBe(0);
    const client = documentClient(localClientConfig());
    const events = new EventStore(client, tableNames(prefix).events);
    const opened = (incidentId: string, eventId: string) =>
      parseEvent(
        rawEvent('Incident Opened', { incidentId, eventId, occurredAt: iso(T0), title: incidentId, severity: 'sev2', impacts: [{ node: 'payments-db' }] }),
      );
    await events.append(opened('INC-OPEN', 'o1'));
    await events.append(opened('INC-DONE', 'o2'));
    await events.append(parseEvent(rawEvent('Incident Resolved', { incidentId: 'INC-DONE', eventId: 'o3', occurredAt: iso(T0 + HOUR) })));

    // Act
    const replay = await impact('replay', ...store);

    // Assess
    expect(replay.code).toBe(0);
    const projections = new Projections(client, tableNames(prefix).impacts);
    expect((await projections.openIncidents()).map((i) => [i.subjectKey, i.effects])).toEqual([['incident#INC-OPEN', { web: 'outage' }]]);
    expect((await projections.incidents()).map((i) => [i.subjectKey, i.status])).toEqual([
      ['incident#INC-DONE', 'resolved'],
      ['incident#INC-OPEN', 'open'],
    ]);
  });

  it('an invalid graph is refused before anything is written (exit 2)', async () => {
    const f = scratch({ 'bad.yaml': 'components: [{ id: a, dependsOn: [ghost] }]' });
    const result = await impact('graph', 'import', f('bad.yaml'), '--endpoint', dynamodbEndpoint(), '--table-prefix', 'never-');
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toContain('dependsOn names unknown node "ghost"');
  });
});
