/**
 * `npm run bench -- store [--scale 0.1]`: the storage layer against DynamoDB Local, each figure as a
 * ratio to the machine's floor measured in the same run:
 *  (a) floor: raw parallel BatchWriteItem of N items, raw parallel Query reads of N items;
 *  (b) importing 300,000 customers / 600,000 usages with their contacts (vs the write floor, same count);
 *  (c) reading the customers of touchpoints covering >= 200,000 customers (vs the read floor, same
 *      count) and writing 200,000 ledger records (vs the write floor, same count).
 * Targets: (b) <= 1.25x, (c) reads <= 1.3x, ledger <= 1.25x. Results: bench/results/store.json.
 */
import { writeFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../functions/adapters/dynamodb/client.ts';
import { batchWrite, type WriteRequest } from '../functions/adapters/dynamodb/batch.ts';
import { queryPages } from '../functions/adapters/dynamodb/query.ts';
import { runBounded } from '../functions/adapters/dynamodb/retry.ts';
import { loadGraph } from '../functions/adapters/graph-files.ts';
import { GraphStore, usagePartition } from '../functions/adapters/graph-store.ts';
import { Ledger, ledgerItem } from '../functions/adapters/ledger.ts';
import { LOCAL_AWS, createTables, startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { USAGE_SHARDS, tableNames } from '../lib/tables.ts';
import { estate } from './lib/estate.ts';

const scaleArg = process.argv.indexOf('--scale');
const scale = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 1;
const CUSTOMERS = Math.round(300_000 * scale);
const READ_TARGET = Math.round(200_000 * scale);
const LEDGER = Math.round(200_000 * scale);
const CONCURRENCY = 16;

const seconds = async (work: () => Promise<unknown>): Promise<number> => {
  const t = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - t) / 1e9;
};

const dynamodb = await startDynamoDbLocal();
try {
  const config = { endpoint: dynamodb.endpoint, ...LOCAL_AWS };
  const raw = new DynamoDBClient(config);
  await createTables(raw, 'bench-');
  await createTables(raw, 'floor-');
  const client = documentClient(config);
  const tables = tableNames('bench-');
  const floorTable = tableNames('floor-').graph;

  const files = await estate({ components: 2_000, touchpoints: 500, customers: CUSTOMERS, usagesPerCustomer: 2 }, `store-${CUSTOMERS}`);
  const { graph } = await loadGraph({ graphFiles: [files.graph], customersCsv: files.customers, usageCsv: files.usage });
  let usages = 0;
  for (const list of graph.usagesByTouchpoint.values()) usages += list.length;
  const importItems = graph.components.size + graph.touchpoints.size + graph.notificationChannels.size + graph.customers.size * 2 + usages;

  // (a) the floor: raw items of usage-item size, in partitions of ~the same shape, written then read.
  const floorItem = (i: number) => ({
    pk: `floor#${i % (16 * 64)}`,
    sk: `C-${i}#1764547200000#1764558000000`,
    c: `C-${i}`,
    f: 1764547200000,
    t: 1764558000000,
    p: { has: 'email|phone', segment: 'basic', locale: 'en-GB', timeZone: 'Europe/London', channels: ['email'], optOut: false },
  });
  const floorWrites = (n: number): WriteRequest[] => Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: floorItem(i) } }));
  const writeFloorImport = await seconds(() => batchWrite(client, floorTable, floorWrites(importItems), { concurrency: CONCURRENCY }));

  // (b) the import
  const store = new GraphStore(client, tables);
  let report: Awaited<ReturnType<GraphStore['import']>> | undefined;
  const importSeconds = await seconds(async () => (report = await store.import(graph, { concurrency: CONCURRENCY })));

  // (c) reads: touchpoints by usage count until they cover READ_TARGET customers
  const ranked = [...graph.usagesByTouchpoint].sort((a, b) => b[1].length - a[1].length);
  const chosen: string[] = [];
  const covered = new Set<string>();
  for (const [touchpoint, list] of ranked) {
    if (covered.size >= READ_TARGET) break;
    chosen.push(touchpoint);
    for (const u of list) covered.add(u.customerId);
  }
  // The read floor: raw parallel Query of exactly those usage partitions, items counted and dropped.
  const partitions = chosen.flatMap((t) => Array.from({ length: USAGE_SHARDS }, (_, shard) => usagePartition(t, shard)));
  let floorRead = 0;
  const readFloorSeconds = await seconds(() =>
    runBounded(partitions, CONCURRENCY, async (pk) => {
      for await (const page of queryPages(client, { TableName: tables.graph, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }))
        floorRead += page.length;
    }),
  );
  let read = 0;
  const readSeconds = await seconds(async () => {
    const { usages: found } = await store.usagesOf(chosen, CONCURRENCY);
    for (const list of found.values()) read += list.length;
  });
  const readFloorPerItem = readFloorSeconds / floorRead;

  // ledger: LEDGER notices claimed on their pages and recorded, vs the write floor of the same count
  const entries = Array.from({ length: LEDGER }, (_, i) => ({
    subjectKey: 'change#CHG-BENCH',
    customerId: `C-${i}`,
    kind: 'change-notice',
    version: 1,
    channel: 'email',
    sentAt: Date.now(),
  }));
  const ledgerSeconds = await seconds(() => new Ledger(client, tables.impacts).record(entries, CONCURRENCY));
  // The ledger's floor: the very records the ledger writes, into a table of the same shape (GSI included).
  const writeFloorLedger = await seconds(() =>
    batchWrite(
      client,
      tableNames('floor-').impacts,
      entries.map((e) => ({ PutRequest: { Item: ledgerItem(e) } })),
      { concurrency: CONCURRENCY },
    ),
  );

  const ratio = (a: number, b: number) => +(a / b).toFixed(2);
  const result = {
    scale,
    items: { import: importItems, customers: graph.customers.size, usages, readUsages: read, readCustomers: covered.size, ledger: LEDGER },
    seconds: {
      writeFloorImport: +writeFloorImport.toFixed(2),
      import: +importSeconds.toFixed(2),
      readFloor: +(readFloorPerItem * read).toFixed(2),
      read: +readSeconds.toFixed(2),
      writeFloorLedger: +writeFloorLedger.toFixed(2),
      ledger: +ledgerSeconds.toFixed(2),
    },
    ratios: {
      import: ratio(importSeconds, writeFloorImport),
      read: ratio(readSeconds, readFloorPerItem * read),
      ledger: ratio(ledgerSeconds, writeFloorLedger),
    },
    targets: { import: 1.25, read: 1.3, ledger: 1.25 },
    report,
    measuredAt: new Date().toISOString(),
  };
  writeFileSync(new URL('results/store.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  console.table({
    'import vs write floor': { ratio: result.ratios.import, target: 1.25, seconds: result.seconds.import, floor: result.seconds.writeFloorImport },
    'reads vs read floor': { ratio: result.ratios.read, target: 1.3, seconds: result.seconds.read, floor: result.seconds.readFloor },
    'ledger vs write floor': { ratio: result.ratios.ledger, target: 1.25, seconds: result.seconds.ledger, floor: result.seconds.writeFloorLedger },
  });
  console.log(JSON.stringify(result.items));
  raw.destroy();
} finally {
  await dynamodb.stop();
}
