/**
 * `npm run bench -- e2e [--scale 0.1] [--lambda [--lambda-shards N]] [--max-minutes M]`: a Delta-scale
 * day, end to end, run as a user runs it.
 *
 * The estate of bench/lib/estate.ts (600,000 customers, ~1.2 million usages at scale 1) is loaded by
 * `npm start -- --in-memory --graph ... --sns-rate 5000 --delivery topic-only` in a child process
 * (DynamoDB Local in memory; the day ends at the customer-notices topic, docs/decisions.md).
 * Then, on the PutEvents endpoint: a sev1 `Incident Opened` on infra-0 (~390,000 customers hit), an
 * `Incident Updated` (status identified: a status change is the update that tells customers
 * something; an incident's window is start..resolvedAt and no update can move it) once 10% of the
 * first notices are out, and `Incident Resolved` once every first notice is out.
 *
 * Measured: import time; event to first and to last customer notice; notices per customer against the
 * pure what-if of functions/domain on the same files (misses, doubles, strays); DynamoDB items added per
 * notice (DescribeTable item counts, pipeline idle, before/after); peak RSS of the runtime and of
 * DynamoDB Local (VmHWM from /proc); p50/p95 of the console's calls during the fan-out. Floors from the
 * same run: raw BatchWriteItem of as many items as the pipeline added (same table shape) and the SNS
 * pacing time (notices / rate). `--lambda` then runs the assess, plan (one invocation per customer
 * shard; the first N with --lambda-shards) and notify handlers on the estate in Node processes capped
 * at their deployed memory and timed against their timeouts (bench/lib/lambda.ts).
 * Results: a table on stdout, bench/results/e2e.json and bench/results/e2e.md (e2e-scale-S.* at another scale).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { documentClient } from '../functions/adapters/dynamodb/client.ts';
import { batchWrite } from '../functions/adapters/dynamodb/batch.ts';
import { ledgerItem } from '../functions/adapters/ledger.ts';
import { LOCAL_AWS, createTables, freePort } from '../lib/local/dynamodb-local.ts';
import { TABLE_KEYS, tableName } from '../lib/tables.ts';
import { expectedFirstNotices } from '../tests/support/what-if.ts';
import { DATA_DIR, estate } from './lib/estate.ts';
import { runLambdas, type LambdaResult } from './lib/lambda.ts';
import { sampleItemSizes } from './lib/item-size.ts';
import { OutboxTail, exactness } from './lib/outbox-tail.ts';
import { commandLine, cpuSeconds, findDescendant, memoryMb } from './lib/procs.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
const scale = process.argv.includes('--scale') ? Number(arg('--scale')) : 1;
const withLambda = process.argv.includes('--lambda');
// Plan invocations measured under their limits (one per customer shard); all of them unless given.
const lambdaShards = process.argv.includes('--lambda-shards') ? Number(arg('--lambda-shards')) : undefined;
// On a shared machine a full day can take hours: past this budget (minutes, from the event) the bench
// stops waiting, reports what it measured so far as incomplete, and still measures floors and --lambda.
const budgetMs = process.argv.includes('--max-minutes') ? Number(arg('--max-minutes')) * 60_000 : Infinity;
const SNS_RATE = 5_000;
const CUSTOMERS = Math.round(600_000 * scale);
const SUBJECT = 'incident#INC-DELTA';
const TARGETS = { firstNoticeSeconds: 10, lastNoticeVsFloor: 1.5, consoleP95Ms: 300, runtimePeakRssMb: 1024 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t: number) => (Date.now() - t) / 1000;
const round = (n: number, digits = 2) => +n.toFixed(digits);
const log = (line: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

// --- the estate and the runtime, as a user starts it ------------------------------------------------
const files = await estate({ components: 2_000, touchpoints: 500, customers: CUSTOMERS, usagesPerCustomer: 2 }, `e2e-${CUSTOMERS}`);
const dataDir = join(DATA_DIR, 'e2e-run');
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const [eventsPort, apiPort] = [await freePort(), await freePort()];
// Merge window 0: the update is measured as sent, not held 5 minutes after each customer's first notice
// and merged (the default, which the bench would have to wait out).
const config = join(dataDir, 'impact.local.json');
writeFileSync(config, JSON.stringify({ mergeWindowMinutes: 0 }));
const startedAt = Date.now();
const npm = spawn(
  'npm',
  [
    'start',
    '--',
    '--in-memory',
    '--data-dir',
    dataDir,
    '--config',
    config,
    '--events-port',
    String(eventsPort),
    '--api-port',
    String(apiPort),
    '--graph',
    files.graph,
    '--customers',
    files.customers,
    '--usage',
    files.usage,
    '--sns-rate',
    String(SNS_RATE),
    // The day is measured to the customer-notices topic (the SNS pacing floor is its floor); the local
    // delivery stand-ins would share the two cores, and in AWS delivery is its own functions.
    '--delivery',
    'topic-only',
  ],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
);
let output = '';
const seen = new Map<string, number>();
const onOutput = (d: Buffer) => {
  output += d.toString();
  for (const mark of ['first run: importing', 'graph version', 'running locally']) if (!seen.has(mark) && output.includes(mark)) seen.set(mark, Date.now());
};
npm.stdout.on('data', onOutput);
npm.stderr.on('data', onOutput);
const until = async (what: string, done: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (npm.exitCode !== null) throw new Error(`npm start exited (${npm.exitCode}) while waiting for ${what}: ${output.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
};

// Peak memory of the runtime (node) and of DynamoDB Local (its java child), sampled once a second;
// VmHWM is the kernel's high-water mark, so the peak is exact whenever the last sample was taken.
const peaks = { runtime: 0, dynamodb: 0, runtimeDuringDay: 0, dynamodbDuringDay: 0 };
// The machine is shared: its load during the day says how far the figures are from an idle machine's.
const load: number[] = [];
let day = false;
let runtimePid: number | undefined;
let javaPid: number | undefined;
const sampler = setInterval(() => {
  runtimePid ??= findDescendant(npm.pid!, (a) => a.some((x) => x.endsWith('lib/local/start.ts')));
  javaPid ??= findDescendant(npm.pid!, (a) => a.some((x) => x.endsWith('DynamoDBLocal.jar')));
  const r = runtimePid ? memoryMb(runtimePid) : undefined;
  const j = javaPid ? memoryMb(javaPid) : undefined;
  if (r) peaks.runtime = Math.max(peaks.runtime, r.peak);
  if (j) peaks.dynamodb = Math.max(peaks.dynamodb, j.peak);
  if (day && r) peaks.runtimeDuringDay = Math.max(peaks.runtimeDuringDay, r.rss);
  if (day && j) peaks.dynamodbDuringDay = Math.max(peaks.dynamodbDuringDay, j.rss);
  if (day) load.push(loadavg()[0]);
}, 1_000);

log(`estate: ${CUSTOMERS} customers; starting npm start (DynamoDB Local in memory, SNS paced to ${SNS_RATE}/s)`);
await until('npm start to be running', () => seen.has('running locally'), 3 * 3_600_000);
const importSeconds = ((seen.get('graph version') ?? 0) - (seen.get('first run: importing') ?? 0)) / 1000;
const importedItems = Number(output.match(/graph version \d+: (\d+) items/)?.[1] ?? 0);
log(`imported ${importedItems} items in ${importSeconds.toFixed(1)} s`);
await until('DynamoDB Local to be found', () => !!javaPid, 10_000);
const javaArgs = commandLine(javaPid!);
const endpoint = `http://127.0.0.1:${javaArgs[javaArgs.indexOf('-port') + 1]}`;
const dynamodb = new DynamoDBClient({ endpoint, ...LOCAL_AWS });

/** Items per table once the pipeline is idle (two reads 3 s apart agree), or as they are now. */
const itemCounts = async (idle = true): Promise<Record<string, number>> => {
  const read = async () =>
    Object.fromEntries(
      await Promise.all(
        TABLE_KEYS.map(async (key) => [key, (await dynamodb.send(new DescribeTableCommand({ TableName: tableName(key, '') }))).Table?.ItemCount ?? 0]),
      ),
    );
  let before = await read();
  if (!idle) return before;
  for (;;) {
    await sleep(3_000);
    const now = await read();
    if (JSON.stringify(now) === JSON.stringify(before)) return now;
    before = now;
  }
};
const added = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));
const sum = (r: Record<string, number>) => Object.values(r).reduce((x, y) => x + y, 0);

// --- who should hear, computed offline by the pure what-if (no pipeline involved) ------------------
const bus = new EventBridgeClient({ endpoint: `http://127.0.0.1:${eventsPort}`, ...LOCAL_AWS });
const put = async (detailType: string, detail: object) => {
  const at = Date.now();
  const out = await bus.send(
    new PutEventsCommand({ Entries: [{ EventBusName: 'impact', Source: 'bench.delta', DetailType: detailType, Detail: JSON.stringify(detail) }] }),
  );
  if (out.FailedEntryCount) throw new Error(`${detailType} refused: ${JSON.stringify(out.Entries)}`);
  return at;
};
const opened = { incidentId: 'INC-DELTA', title: 'Check-in and boarding systems down', severity: 'sev1', impacts: [{ node: files.hotComponent }] };
const whatIfStarted = Date.now();
const planAt = Date.now();
const expected = await expectedFirstNotices(
  { graphFiles: [files.graph], customersCsv: files.customers, usageCsv: files.usage },
  [{ 'detail-type': 'Incident Opened', detail: opened }],
  planAt,
);
log(`what-if: ${expected.affected} affected, ${expected.channel.size} reachable (${since(whatIfStarted).toFixed(1)} s)`);
const before = await itemCounts();

// --- the day --------------------------------------------------------------------------------------
const tail = new OutboxTail(join(dataDir, 'outbox.jsonl'), SUBJECT);
const api = `http://127.0.0.1:${apiPort}/api`;
const CONSOLE = {
  subject: `${api}/subjects/incident/INC-DELTA`,
  customersPage: `${api}/subjects/incident/INC-DELTA/customers?limit=50`,
  changes: `${api}/changes`,
  metrics: `${api}/metrics`,
};
const latencies: Record<keyof typeof CONSOLE, number[]> = { subject: [], customersPage: [], changes: [], metrics: [] };
const failures: string[] = [];
let sampling = true;
// Like one open console from the first notice on: a round of the four calls every 3 s (its refresh
// period), a round never overlapping the one before (the console's setInterval would overlap slow
// rounds; this is gentler). It starts at the first notice so that it does not slow what comes before.
const sampleConsole = async () => {
  while (sampling) {
    const round = Date.now();
    for (const [name, url] of Object.entries(CONSOLE) as [keyof typeof CONSOLE, string][]) {
      const t = performance.now();
      const res = await fetch(url, { signal: AbortSignal.timeout(120_000) }).catch((e: Error) => ({ ok: false, status: e.name }) as const);
      if ('text' in res) await res.text();
      latencies[name].push(performance.now() - t);
      if (!res.ok) failures.push(`${name}: ${res.status}`);
    }
    await sleep(Math.max(0, 3_000 - (Date.now() - round)));
  }
};
let consoleSampler: Promise<void> | undefined;

// CPU used during the fan-out, per process: on 2 shared cores the pipeline's time is mostly CPU, and
// this says whose (the runtime's node, DynamoDB Local's java, the bench's own outbox tail and sampler).
const cpuNow = () => {
  const bench = process.cpuUsage();
  return { runtime: cpuSeconds(runtimePid!) ?? NaN, dynamodbLocal: cpuSeconds(javaPid!) ?? NaN, bench: (bench.user + bench.system) / 1e6 };
};
const cpuAtEvent = cpuNow();
day = true;
const openedAt = await put('Incident Opened', opened);
log('Incident Opened put');
const first = tail.tally('incident-notice');
const reachable = expected.channel.size;
let updatedAt: number | undefined;
// Generous bound on a shared 2-core machine: forty times the SNS pacing, at least 90 minutes.
const fanOutTimeoutMs = Math.max(90 * 60_000, (reachable / SNS_RATE) * 40_000);
let lastCount = -1;
let steadySince = Date.now();
const progress = { first: 0, shown: Date.now() };
for (;;) {
  tail.poll();
  if (updatedAt === undefined && first.total >= reachable * 0.1) {
    updatedAt = await put('Incident Updated', {
      incidentId: 'INC-DELTA',
      status: 'identified',
      customerMessage: 'We found the cause and are restoring check-in.',
    });
    log(`Incident Updated put at ${first.total} first notices`);
  }
  if (first.total !== lastCount) [lastCount, steadySince] = [first.total, Date.now()];
  if (first.total > 0 && !progress.first) {
    log(`first notice ${(((progress.first = first.first!) - openedAt) / 1000).toFixed(1)} s after the event`);
    consoleSampler = sampleConsole();
  }
  if (Date.now() - progress.shown > 30_000) {
    progress.shown = Date.now();
    log(`${first.total} first notices, ${tail.tally('incident-update').total} updates (${since(openedAt).toFixed(0)} s after the event)`);
  }
  // Done when every reachable customer was told, or nothing moved for 2 minutes after the first notice (a miss).
  if (first.perCustomer.size >= reachable && Date.now() - steadySince > 5_000) break;
  if ((first.total > 0 && Date.now() - steadySince > 120_000) || Date.now() - openedAt > Math.min(fanOutTimeoutMs, budgetMs)) break;
  await sleep(200);
}
const cpuAtLastNotice = cpuNow();
sampling = false;
await consoleSampler;
log(`console calls sampled: ${latencies.subject.length} rounds`);
log(`first notices: ${first.total} (${first.perCustomer.size} customers)`);
const complete = first.perCustomer.size >= reachable;
if (!complete) log(`stopped waiting ${since(openedAt).toFixed(0)} s after the event: the figures below are of an incomplete fan-out`);
// An incomplete day is not idle: its item counts are read once, as they are.
const afterFanOut = complete ? await itemCounts() : await itemCounts(false);
tail.poll();

const resolvedAt = complete ? await put('Incident Resolved', { incidentId: 'INC-DELTA' }) : NaN;
if (complete) log('Incident Resolved put');
const resolved = tail.tally('incident-resolved');
lastCount = -1;
steadySince = Date.now();
for (; complete; ) {
  tail.poll();
  if (resolved.total !== lastCount) [lastCount, steadySince] = [resolved.total, Date.now()];
  if (resolved.perCustomer.size >= first.perCustomer.size && Date.now() - steadySince > 5_000) break;
  if ((resolved.total > 0 && Date.now() - steadySince > 120_000) || Date.now() - resolvedAt > fanOutTimeoutMs) break;
  await sleep(200);
}
const afterResolved = complete ? await itemCounts() : afterFanOut;
tail.poll();
day = false;
log(`resolution notices: ${resolved.total}`);

// --- floors, in the same DynamoDB Local, with the pipeline stopped ---------------------------------
// The runtime is paused here (SIGSTOP: its DynamoDB Local, which ends with it, keeps the estate), so
// that an incomplete fan-out does not go on under the floors or the handlers of --lambda.
clearInterval(sampler);
process.kill(runtimePid!, 'SIGSTOP');
const itemsFanOut = sum(added(before, afterFanOut));
await createTables(dynamodb, 'floor-');
const floorEntries = Array.from({ length: itemsFanOut }, (_, i) => ({
  PutRequest: {
    Item: ledgerItem({ subjectKey: 'incident#FLOOR', customerId: `C-${i}`, kind: 'incident-notice', version: 1, channel: 'email', sentAt: Date.now() }),
  },
}));
const floorStarted = Date.now();
const javaCpuBeforeFloor = cpuSeconds(javaPid!) ?? NaN;
await batchWrite(documentClient({ endpoint, ...LOCAL_AWS }), tableName('impacts', 'floor-'), floorEntries, { concurrency: 16 });
const writeFloorSeconds = since(floorStarted);
const floorJavaCpuSeconds = (cpuSeconds(javaPid!) ?? NaN) - javaCpuBeforeFloor;
floorEntries.length = 0;
log(`write floor: ${itemsFanOut} items in ${writeFloorSeconds.toFixed(1)} s`);
const itemSizes = { ...(await sampleItemSizes(dynamodb, tableName('impacts', ''))), ...(await sampleItemSizes(dynamodb, tableName('graph', ''), 5_000)) };

// --- the deployed functions' limits (--lambda) -----------------------------------------------------
let lambdas: LambdaResult[] | undefined;
if (withLambda) {
  log('the assess, plan and notify handlers run under their deployed limits...');
  lambdas = await runLambdas(endpoint, lambdaShards);
  for (const l of lambdas) log(`${l.name}${l.invocation ? ` ${l.invocation}` : ''}: ${l.outcome} in ${l.seconds} s, peak RSS ${l.peakRssMb} MB (${l.note})`);
}
process.kill(runtimePid!, 'SIGKILL');
process.kill(javaPid!, 'SIGTERM');
if (npm.exitCode === null) await new Promise((r) => npm.once('exit', r));

// --- figures ---------------------------------------------------------------------------------------
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
};
const update = tail.tally('incident-update');
// An update is owed to everyone whose first notice was out before the update was put.
const owedUpdate = new Map(
  [...first.firstAt].filter(([, at]) => updatedAt !== undefined && at < updatedAt).map(([id]) => [id, expected.channel.get(id) ?? '']),
);
const firstNoticeSeconds = ((first.first ?? NaN) - openedAt) / 1000;
const lastNoticeSeconds = ((first.last ?? NaN) - openedAt) / 1000;
const pacingFloorSeconds = first.total / SNS_RATE;
const largerFloor = Math.max(writeFloorSeconds, pacingFloorSeconds);
const consoleCalls = Object.fromEntries(
  Object.entries(latencies).map(([name, values]) => [
    name,
    { calls: values.length, p50Ms: Math.round(percentile(values, 50)), p95Ms: Math.round(percentile(values, 95)), maxMs: Math.round(Math.max(...values)) },
  ]),
);
const fanOutAdded = added(before, afterFanOut);
const resolvedAdded = added(afterFanOut, afterResolved);
const result = {
  scale,
  complete: complete ? 'yes' : `no: stopped ${round(budgetMs / 60_000, 0)} min after the event with ${first.perCustomer.size} of ${reachable} customers told`,
  estate: { customers: CUSTOMERS, importedItems, affected: expected.affected, reachable, unreachable: expected.affected - reachable },
  dynamodbLocal: 'in memory (npm start --in-memory)',
  snsRate: SNS_RATE,
  seconds: {
    import: round(importSeconds, 1),
    startToRunning: round(((seen.get('running locally') ?? 0) - startedAt) / 1000, 1),
    eventToFirstNotice: round(firstNoticeSeconds),
    eventToLastNotice: round(lastNoticeSeconds),
    updateToLastUpdate: round(((tail.tally('incident-update').last ?? NaN) - (updatedAt ?? NaN)) / 1000),
    resolvedToLastNotice: round(((resolved.last ?? NaN) - resolvedAt) / 1000),
    writeFloor: round(writeFloorSeconds),
    snsPacingFloor: round(pacingFloorSeconds),
  },
  ratios: {
    lastNoticeVsLargerFloor: round(lastNoticeSeconds / largerFloor),
    lastNoticeVsWriteFloor: round(lastNoticeSeconds / writeFloorSeconds),
    lastNoticeVsPacing: round(lastNoticeSeconds / pacingFloorSeconds),
  },
  notices: {
    'incident-notice': exactness(first, expected.channel),
    // Owed to those told before the update was put; allowed to those told before their update went out
    // (each shard plans the update against the ledger when its job runs, a moment after the put).
    'incident-update': {
      ...exactness(update, owedUpdate, new Set([...update.firstAt].filter(([id, at]) => (first.firstAt.get(id) ?? Infinity) <= at).map(([id]) => id))),
      putAfterFirstNotices: owedUpdate.size,
    },
    'incident-resolved': exactness(resolved, expected.channel),
    briefings: tail.briefings,
  },
  // From the event to the end of the first notices' wait (the last first notice plus about 5 s), and of
  // DynamoDB Local during the write floor, in CPU seconds.
  cpuSeconds: {
    fanOut: Object.fromEntries(Object.entries(cpuAtLastNotice).map(([k, v]) => [k, round(v - cpuAtEvent[k as keyof typeof cpuAtEvent], 1)])),
    writeFloorDynamodbLocal: round(floorJavaCpuSeconds, 1),
  },
  itemBytes: itemSizes,
  itemsAdded: {
    fanOut: fanOutAdded,
    resolution: resolvedAdded,
    perFirstNotice: round(sum(fanOutAdded) / Math.max(1, first.total), 3),
    perResolvedNotice: round(sum(resolvedAdded) / Math.max(1, resolved.total), 3),
  },
  peakRssMb: {
    runtime: Math.round(peaks.runtime),
    dynamodbLocal: Math.round(peaks.dynamodb),
    runtimeDuringDay: Math.round(peaks.runtimeDuringDay),
    dynamodbLocalDuringDay: Math.round(peaks.dynamodbDuringDay),
  },
  consoleCalls,
  consoleFailures: failures.slice(0, 20),
  lambda: lambdas,
  targets: TARGETS,
  machine: {
    cores: cpus().length,
    loadAverageDuringDay: { mean: round(load.reduce((a, b) => a + b, 0) / Math.max(1, load.length), 1), max: round(Math.max(0, ...load), 1) },
  },
  node: process.version,
  measuredAt: new Date().toISOString(),
};

const met = (ok: boolean) => (ok ? 'yes' : 'NO');
const p95 = Math.max(...Object.values(consoleCalls).map((c) => c.p95Ms));
const exact = (['incident-notice', 'incident-update', 'incident-resolved'] as const).every(
  (k) => result.notices[k].misses === 0 && result.notices[k].doubles === 0 && result.notices[k].strays === 0,
);
const rows: [string, string, string, string][] = [
  ['import', `${result.seconds.import} s (${importedItems} items)`, '', ''],
  [
    'event to first notice',
    `${result.seconds.eventToFirstNotice} s`,
    `<= ${TARGETS.firstNoticeSeconds} s`,
    met(firstNoticeSeconds <= TARGETS.firstNoticeSeconds),
  ],
  [
    'event to last notice',
    `${result.seconds.eventToLastNotice} s = ${result.ratios.lastNoticeVsLargerFloor}x larger floor`,
    `<= ${TARGETS.lastNoticeVsFloor}x`,
    met(result.ratios.lastNoticeVsLargerFloor <= TARGETS.lastNoticeVsFloor),
  ],
  ['  write floor (BatchWriteItem)', `${result.seconds.writeFloor} s (${sum(fanOutAdded)} items; ratio ${result.ratios.lastNoticeVsWriteFloor}x)`, '', ''],
  ['  SNS pacing floor', `${result.seconds.snsPacingFloor} s (${first.total} at ${SNS_RATE}/s; ratio ${result.ratios.lastNoticeVsPacing}x)`, '', ''],
  ['update: event to last update', `${result.seconds.updateToLastUpdate} s (${update.total} notices)`, '', ''],
  ['resolution: event to last notice', `${result.seconds.resolvedToLastNotice} s (${resolved.total} notices)`, '', ''],
  ...(['incident-notice', 'incident-update', 'incident-resolved'] as const).map((k): [string, string, string, string] => {
    const n = result.notices[k];
    return [
      `${k} per customer`,
      `${n.received} sent / ${n.expected} expected: ${n.misses} missed, ${n.doubles} doubled, ${n.strays} strays, ${n.wrongChannel} wrong channel`,
      'exactly once',
      met(n.misses === 0 && n.doubles === 0 && n.strays === 0),
    ];
  }),
  [
    'CPU during the fan-out',
    `runtime ${result.cpuSeconds.fanOut.runtime} s, DynamoDB Local ${result.cpuSeconds.fanOut.dynamodbLocal} s, bench ${result.cpuSeconds.fanOut.bench} s; DynamoDB Local during the write floor ${result.cpuSeconds.writeFloorDynamodbLocal} s`,
    '',
    '',
  ],
  ['items added per notice', `${result.itemsAdded.perFirstNotice} (first notices), ${result.itemsAdded.perResolvedNotice} (resolution)`, '', ''],
  [
    'item bytes by key class (avg / max)',
    Object.entries(itemSizes)
      .map(([k, c]) => `${k} ${c.avgBytes} / ${c.maxBytes}`)
      .join(', '),
    '',
    '',
  ],
  [
    'peak RSS runtime',
    `${result.peakRssMb.runtime} MB (${result.peakRssMb.runtimeDuringDay} MB during the day)`,
    `<= ${TARGETS.runtimePeakRssMb} MB`,
    met(peaks.runtime <= TARGETS.runtimePeakRssMb),
  ],
  ['peak RSS DynamoDB Local', `${result.peakRssMb.dynamodbLocal} MB (${result.peakRssMb.dynamodbLocalDuringDay} MB during the day)`, '', ''],
  ...Object.entries(consoleCalls).map(([name, c]): [string, string, string, string] => [
    `console ${name}`,
    `p50 ${c.p50Ms} ms, p95 ${c.p95Ms} ms, max ${c.maxMs} ms (${c.calls} calls)`,
    `p95 <= ${TARGETS.consoleP95Ms} ms`,
    met(c.p95Ms <= TARGETS.consoleP95Ms),
  ]),
  ...(lambdas ?? []).map((l): [string, string, string, string] => [
    `lambda ${l.name}${l.invocation ? ` ${l.invocation}` : ''}`,
    `${l.outcome}: ${l.seconds} s, peak RSS ${l.peakRssMb} MB, ${l.note}`,
    `${l.memoryMb} MB, ${l.timeoutSeconds} s`,
    met(l.outcome === 'ok'),
  ]),
];
const table = ['| figure | measured | target | met |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const md = [
  `# e2e bench: a Delta-scale day (scale ${scale})`,
  '',
  `${CUSTOMERS} customers, ${importedItems} items imported; infra-0 outage: ${expected.affected} affected, ${reachable} reachable. ` +
    `npm start --in-memory --delivery topic-only (DynamoDB Local in memory), SNS paced to ${SNS_RATE}/s, merge window 0; Node ${process.version}; ${result.measuredAt}; ` +
    `${result.machine.cores} cores shared with other work, load average during the day ${result.machine.loadAverageDuringDay.mean} (max ${result.machine.loadAverageDuringDay.max}). ` +
    `Complete: ${result.complete}. Console calls sampled like one open console (a round of the four every 3 s) from the first notice to the last first notice. Overall: exact ${met(exact)}, console p95 ${p95} ms.`,
  '',
  table,
  '',
].join('\n');
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
// A run at another scale keeps its own files: bench/results/e2e.* stay the full day's.
const named = `results/e2e${scale === 1 ? '' : `-scale-${scale}`}`;
writeFileSync(new URL(`${named}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(new URL(`${named}.md`, import.meta.url), md);
process.stdout.write(`\n${md}`);
process.exit(0);
