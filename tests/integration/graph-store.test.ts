import { beforeAll, describe, expect, it } from 'vitest';
import { GraphStore } from '../../functions/adapters/graph-store.ts';
import { ContactsStore } from '../../functions/adapters/contacts-store.ts';
import { loadGraph } from '../../functions/adapters/graph-files.ts';
import { assess, assessDetailed } from '../../functions/domain/impact/assess.ts';
import { propagate } from '../../functions/domain/impact/propagate.ts';
import { nodesByAwsHealth, nodesByCi, nodesByService } from '../../functions/domain/intake/catalog.ts';
import type { Graph } from '../../functions/domain/model.ts';
import { countCommands, injectThrottling, injectUnprocessed } from '../support/faults.ts';
import { freshTables } from '../support/dynamodb.ts';
import { graphOf, openChange } from '../support/graphs.ts';
import { scratch } from '../support/cli.ts';
import { CUSTOMERS_CSV_HEADER, USAGE_CSV_HEADER } from '../../functions/domain/graph/index.ts';
import { batchWrite } from '../../functions/adapters/dynamodb/batch.ts';
import { scanAll } from '../../functions/adapters/dynamodb/query.ts';

const ROOT = new URL('../../examples/airline/', import.meta.url).pathname;
/** The airline with its first 1,500 customers: big enough for shards and batches, quick to import. */
let airline: Graph;
beforeAll(async () => {
  const { graph } = await loadGraph({ graphFiles: [`${ROOT}graph.yaml`], customersCsv: `${ROOT}customers.csv`, usageCsv: `${ROOT}usage.csv` });
  const keep = new Set([...graph.customers.keys()].slice(0, 1500));
  airline = {
    ...graph,
    customers: new Map([...graph.customers].filter(([id]) => keep.has(id))),
    customerList: undefined,
    usagesByTouchpoint: new Map(
      [...graph.usagesByTouchpoint].map(([t, us]) => [t, us.filter((u) => keep.has(u.customerId)).map((u) => ({ ...u, ordinal: undefined }))]),
    ),
  };
});

const small = (customers: Record<string, unknown>[]) =>
  graphOf({
    components: [{ id: 'db' }, { id: 'api', dependsOn: ['db'] }],
    touchpoints: [
      { id: 'web', channel: 'web', dependsOn: ['api'] },
      { id: 'kiosk', channel: 'kiosk', dependsOn: ['db'] },
    ],
    notificationChannels: [{ channel: 'sms', dependsOn: ['api'] }],
    customers,
  });

describe('graph store: import as a diff', () => {
  it('imports, then re-importing the same graph writes nothing; changes become puts and deletes', async () => {
    const { client, tables } = await freshTables();
    const store = new GraphStore(client, tables);
    const first = small([
      { id: 'C-1', contacts: { email: 'a@example.com' }, uses: ['web'] },
      { id: 'C-2', contacts: { phone: '+31600000002' }, channels: ['sms'], uses: ['kiosk', 'web'] },
    ]);
    const report = await store.import(first);
    // 4 nodes + 1 channel + 2 customers + 3 usages
    expect(report).toMatchObject({ puts: 10, deletes: 0, contactPuts: 2, version: 1 });
    expect(await store.import(first)).toMatchObject({ puts: 0, deletes: 0, unchanged: 10, contactPuts: 0, version: 1 });

    const second = small([{ id: 'C-1', segment: 'gold', contacts: { email: 'new@example.com' }, uses: ['web'] }]);
    // C-1 profile and its usage change (2 puts); C-2, its 2 usages go (3 deletes); contacts: 1 put, 1 delete
    expect(await store.import(second)).toMatchObject({ puts: 2, deletes: 3, contactPuts: 1, contactDeletes: 1, version: 2 });
    const contacts = await new ContactsStore(client, tables.contacts).contactsOf(['C-1', 'C-2']);
    expect([...contacts]).toEqual([['C-1', { email: 'new@example.com', phone: undefined, push: undefined }]]);
  });

  it('an assessment from the store equals the in-memory one (airline, 1,500 customers)', async () => {
    const { client, tables } = await freshTables();
    const store = new GraphStore(client, tables);
    await store.import(airline);
    const subject = openChange(
      [
        { node: 'payments-db', effect: 'outage' },
        { node: 'net-ams', effect: 'outage' },
      ],
      { start: Date.UTC(2026, 11, 5, 2), end: Date.UTC(2026, 11, 5, 8) },
    );
    const { topology } = await store.topology();
    const hit = propagate(topology, subject.impacts).touchpoints.map((t) => t.id);
    const fromStore = assessDetailed(await store.view(hit), subject).assessment;
    expect(fromStore.summary.customers).toBeGreaterThan(1000);
    expect(fromStore.summary.byChannel.sms).toBeGreaterThan(0);
    expect(fromStore).toEqual(assess(airline, subject));
  });

  it('reads the topology once per graph version, then only the usage shards of impacted touchpoints', async () => {
    const { client, tables } = await freshTables();
    await new GraphStore(client, tables).import(small([{ id: 'C-1', uses: ['web'] }]));
    const reader = new GraphStore(client, tables);
    const counts = countCommands(client);
    await reader.view(['kiosk']);
    await reader.view(['kiosk']);
    const queries = counts.get('QueryCommand') ?? 0;
    // topology: 1 query (first view only); usage: 16 shards x 2 views
    expect(queries).toBe(1 + 16 * 2);
    await new GraphStore(client, tables).import(
      small([
        { id: 'C-1', uses: ['web'] },
        { id: 'C-3', uses: ['kiosk'] },
      ]),
    );
    const view = await reader.view(['kiosk']);
    expect(counts.get('QueryCommand')).toBe(queries + 1 + 16);
    expect([...view.usagesOf('kiosk')].map((u) => u.customerId)).toEqual(['C-3']);
  });

  it("keeps the nodes' tool names and builds the intake catalog once per graph version", async () => {
    // Prepare
    const { client, tables } = await freshTables();
    const named = (ci: string) =>
      graphOf({
        components: [{ id: 'db', ci: [ci], awsHealth: [{ service: 'RDS', region: 'eu-west-1' }] }],
        touchpoints: [{ id: 'web', channel: 'web', dependsOn: ['db'], services: ['PWEB'] }],
      });
    await new GraphStore(client, tables).import(named('payments-db-01'));
    const reader = new GraphStore(client, tables);
    // Act
    const first = await reader.intakeCatalog();
    const again = await reader.intakeCatalog();
    await new GraphStore(client, tables).import(named('payments-db-02'));
    const after = await reader.intakeCatalog();
    // Assess
    expect(again).toBe(first);
    expect(nodesByCi(first, [['payments-db-01']]).nodes).toEqual(['db']);
    expect(nodesByService(first, [['pweb']]).nodes).toEqual(['web']);
    expect(nodesByAwsHealth(first, 'RDS', 'eu-west-1')).toEqual(['db']);
    expect(nodesByCi(after, [['payments-db-01']]).nodes).toEqual([]);
    expect(nodesByCi(after, [['payments-db-02']]).nodes).toEqual(['db']);
  });

  it('with throttling and unprocessed items injected, the import loses nothing and doubles nothing', async () => {
    const { client, tables } = await freshTables();
    const unprocessed = injectUnprocessed(client);
    const throttled = injectThrottling(client, 4);
    const store = new GraphStore(client, tables);
    const graph = small(
      Array.from({ length: 200 }, (_, i) => ({ id: `C-${i}`, contacts: { email: `c${i}@example.com` }, uses: i % 2 ? ['web'] : ['web', 'kiosk'] })),
    );
    const report = await store.import(graph, { concurrency: 4 });
    expect(unprocessed.unprocessed).toBeGreaterThan(0);
    expect(throttled.throttled).toBeGreaterThan(0);
    expect(report).toMatchObject({ puts: 4 + 1 + 200 + 300, deletes: 0, contactPuts: 200 });
    // Nothing lost: a clean re-read finds every item in place, so a second import writes nothing.
    const clean = await freshTables();
    const reread = new GraphStore(clean.client, tables);
    expect(await reread.import(graph)).toMatchObject({ puts: 0, deletes: 0, contactPuts: 0, unchanged: 505 });
    const view = await reread.view(['kiosk']);
    expect([...view.usagesOf('kiosk')]).toHaveLength(100);
  });
});

describe('graph store: a large import', () => {
  it('over several write slices: every item stored, progress rising to the total, a re-import with changes across slices exact', async () => {
    const { client, tables } = await freshTables();
    const store = new GraphStore(client, tables);
    // 13,000 customers: 4 + 1 nodes and channels, 13,000 profiles, 19,500 usages, 13,000 contacts, over two slices of writes.
    const customers = (n: number): Record<string, unknown>[] =>
      Array.from({ length: n }, (_, i) => ({ id: `C-${i}`, contacts: { email: `c${i}@example.com` }, uses: i % 2 ? ['web'] : ['web', 'kiosk'] }));
    const progress: [number, number][] = [];
    const report = await store.import(small(customers(13_000)), { onProgress: (done, total) => progress.push([done, total]) });
    expect(report).toMatchObject({ puts: 5 + 13_000 + 19_500, deletes: 0, contactPuts: 13_000 });
    const total = 5 + 13_000 + 19_500 + 13_000;
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every(([, t]) => t === total)).toBe(true);
    expect(progress.map(([d]) => d)).toEqual([...progress.map(([d]) => d)].sort((a, b) => a - b));
    expect(progress.at(-1)?.[0]).toBe(total);
    const stored = await scanAll(client, { TableName: tables.graph, ProjectionExpression: 'pk' });
    expect(stored).toHaveLength(5 + 13_000 + 19_500 + 1); // and the version item
    // The first 1,000 customers change segment (their profiles and their 1,500 usages), the last 3,000 go.
    const second = customers(10_000).map((c, i) => (i < 1_000 ? { ...c, segment: 'gold' } : c));
    expect(await store.import(small(second))).toMatchObject({
      puts: 1_000 + 1_500,
      deletes: 3_000 + 4_500,
      unchanged: 5 + 9_000 + 13_500,
      contactPuts: 0,
      contactDeletes: 3_000,
      version: 2,
    });
  });
});

describe('repeated rows and repeated keys', () => {
  it('an import from a usage.csv holding the same row twice goes through, the usage stored once', async () => {
    // Prepare: the files as an export gives them, one usage row repeated
    const { client, tables } = await freshTables();
    const f = scratch({
      'g.yaml': 'components: [{ id: db }]\ntouchpoints: [{ id: web, channel: web, dependsOn: [db] }]',
      'customers.csv': `${CUSTOMERS_CSV_HEADER.join(',')}\nC-1,,,,a@example.com,,,,,,\nC-2,,,,b@example.com,,,,,,\n`,
      'usage.csv': `${USAGE_CSV_HEADER.join(',')}\nC-1,web,2026-12-05T06:00:00Z,2026-12-05T09:00:00Z\nC-2,web,,\nC-1,web,2026-12-05T06:00:00Z,2026-12-05T09:00:00Z\n`,
    });
    const { graph } = await loadGraph({ graphFiles: [f('g.yaml')], customersCsv: f('customers.csv'), usageCsv: f('usage.csv') });
    // Act
    const report = await new GraphStore(client, tables).import(graph);
    // Assess: 2 nodes + 2 customers + 2 usages, nothing refused
    expect(report).toMatchObject({ puts: 6, deletes: 0, contactPuts: 2 });
    expect([...(await new GraphStore(client, tables).view(['web'])).usagesOf('web')].map((u) => u.customerId).sort()).toEqual(['C-1', 'C-2']);
  });

  it('the batch writer never sends one key twice in a batch: the later request for a key wins', async () => {
    const { client, tables } = await freshTables();
    const counts = countCommands(client);
    const put = (pk: string, n: number) => ({ PutRequest: { Item: { pk, sk: 's', n } } });
    // 30 requests over 26 keys: k-0 four times (its last value 3), spread so that a naive cut of 25 would repeat it
    const requests = [
      put('k-0', 0),
      ...Array.from({ length: 25 }, (_, i) => put(`k-${i + 1}`, i + 1)),
      put('k-0', 1),
      put('k-0', 2),
      put('k-5', 55),
      put('k-0', 3),
    ];
    await batchWrite(client, tables.graph, requests);
    const stored = await scanAll(client, { TableName: tables.graph });
    expect(stored).toHaveLength(26);
    expect(stored.find((i) => i.pk === 'k-0')?.n).toBe(3);
    expect(stored.find((i) => i.pk === 'k-5')?.n).toBe(55);
    expect(counts.get('BatchWriteItemCommand')).toBe(2);
    // Tables keyed otherwise name their key: the contacts table by customerId alone.
    await batchWrite(
      client,
      tables.contacts,
      [{ PutRequest: { Item: { customerId: 'C-1', email: 'a@example.com' } } }, { PutRequest: { Item: { customerId: 'C-1', email: 'b@example.com' } } }],
      { key: ['customerId'] },
    );
    expect((await scanAll(client, { TableName: tables.contacts })).map((i) => i.email)).toEqual(['b@example.com']);
  });
});

describe('contacts', () => {
  it('reads more than 100 customers in BatchGetItem calls of 100, retrying unprocessed keys', async () => {
    const { client, tables } = await freshTables();
    const customers = Array.from({ length: 250 }, (_, i) => ({ id: `C-${i}`, contacts: { email: `c${i}@example.com` }, uses: ['web'] }));
    await new GraphStore(client, tables).import(small(customers));
    const counts = countCommands(client);
    const unprocessed = injectUnprocessed(client);
    const found = await new ContactsStore(client, tables.contacts).contactsOf(customers.map((c) => c.id));
    expect(found.size).toBe(250);
    expect(found.get('C-249')?.email).toBe('c249@example.com');
    expect(unprocessed.unprocessed).toBeGreaterThan(0);
    expect(counts.get('BatchGetItemCommand')).toBeGreaterThanOrEqual(3);
  });
});
