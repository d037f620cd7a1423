/**
 * `npm run bench -- local-queue [--sync normal|full] [--big N]`: the local runtime's job queue
 * (lib/local/job-queue.ts on node:sqlite) under the loads `npm start` sees. Each workload enqueues
 * everything as the pipeline does, then consumes it in the runtime's batches of 5 until the queue is
 * empty; it reports messages/s (enqueue + consume) and the store's peak size on disk.
 *   fanout: 2,000 notice jobs of 200 customers each (a 400,000-customer fan-out), sent at once as assess sends them;
 *   small:  20,000 small messages sent 10 at a time (SendMessageBatch's size);
 *   big:    400,000 small messages (default), to show the cost per message does not grow with depth.
 * The JSON file it replaced, on the same workloads: docs/decisions.md (Local runtime).
 * Results: bench/results/local-queue.json.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noticeJobSchema, type NoticeJob } from '../functions/domain/notices/jobs.ts';
import { DeadLetterFile } from '../lib/local/dead-letters.ts';
import { LocalJobQueue } from '../lib/local/job-queue.ts';
import { openLocalStore } from '../lib/local/store.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const sync = arg('sync', 'normal');
const bigCount = Number(arg('big', '400000'));

const fanoutJob = (j: number): NoticeJob =>
  noticeJobSchema.parse({
    type: 'notices',
    subjectKey: 'change#CHG-BENCH',
    subject: { type: 'change', id: 'CHG-BENCH', title: 'Payments database maintenance', start: Date.UTC(2030, 0, 1, 2), end: Date.UTC(2030, 0, 1, 4) },
    kind: 'change-notice',
    touchpointNames: { 'web-checkout': 'Website checkout', 'app-checkout': 'App checkout' },
    customers: Array.from({ length: 200 }, (_, i) => ({
      id: `C-${String(j * 200 + i).padStart(7, '0')}`,
      version: 1,
      effect: 'outage',
      channel: 'email',
      locale: 'en-GB',
      timeZone: 'Europe/Amsterdam',
      segment: 'gold',
      touchpoints: ['app-checkout', 'web-checkout'],
    })),
  });
const small = (i: number) => ({ type: 'briefing', briefing: { team: 'payments', n: i }, text: 'short' });

const workloads = [
  { name: 'fanout', count: 2_000, perSend: 2_000, make: fanoutJob },
  { name: 'small', count: 20_000, perSend: 10, make: small },
  { name: 'big', count: bigCount, perSend: 10, make: small },
];

const bytesIn = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
const results = [];
for (const w of workloads) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-queue-'));
  const store = openLocalStore(join(dir, 'runtime.sqlite'));
  if (sync === 'full') store.exec('PRAGMA synchronous = FULL');
  const queue = new LocalJobQueue(store, new DeadLetterFile(join(dir, 'dead-letters.jsonl')));
  const bodies: unknown[] = Array.from({ length: w.count }, (_, i) => w.make(i)); // the domain's work, not the queue's
  const t0 = performance.now();
  for (let i = 0; i < w.count; i += w.perSend) await queue.send(bodies.slice(i, i + w.perSend).map((body) => ({ body })));
  const t1 = performance.now();
  let peakBytes = bytesIn(dir);
  let consumed = 0;
  const rates: number[] = [];
  let mark = performance.now();
  while (queue.depth > 0) {
    consumed += await queue.poll(async () => ({ batchItemFailures: [] }));
    if (consumed % Math.max(5, Math.floor(w.count / 10)) === 0) {
      peakBytes = Math.max(peakBytes, bytesIn(dir));
      const now = performance.now();
      rates.push(Math.round(w.count / 10 / ((now - mark) / 1000)));
      mark = now;
    }
  }
  const t2 = performance.now();
  store.close();
  results.push({
    workload: w.name,
    messages: w.count,
    enqueueSeconds: +((t1 - t0) / 1000).toFixed(2),
    consumeSeconds: +((t2 - t1) / 1000).toFixed(2),
    messagesPerSecond: Math.round(w.count / ((t2 - t0) / 1000)),
    consumeRatePerTenth: rates,
    peakBytes,
  });
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(results.at(-1))}\n`);
}
writeFileSync(
  new URL('results/local-queue.json', import.meta.url),
  `${JSON.stringify({ synchronous: sync, results, measuredAt: new Date().toISOString() }, null, 2)}\n`,
);
