/**
 * `npm run chaos [-- --runs N --seed S --customers M --throttle P --fail P --sns-rate R]`: N chaos runs
 * (harness.ts) one after another, each on a fresh data dir, seeds S, S+1, ...; prints the table and writes
 * it to bench/results/chaos.md (and every run's detail to bench/results/chaos.json). Not part of
 * `npm test` (tests/chaos/short.test.ts is: two small runs).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { chaosRun, type RunResult } from './harness.ts';
import { markdown, summarize } from './report.ts';

const opts = new Command('npm run chaos')
  .option('--runs <n>', 'how many runs', (v) => Number(v), 5)
  .option('--seed <n>', 'seed of the first run (the next runs take the following ones)', (v) => Number(v), Date.now() % 100_000)
  .option('--customers <n>', "customers in each run's graph", (v) => Number(v), 1_500)
  .option('--throttle <p>', 'probability that a DynamoDB, SNS or SQS request is throttled', (v) => Number(v), 0.05)
  .option('--fail <p>', 'probability that an entry of a batch request fails', (v) => Number(v), 0.05)
  .option('--sns-rate <n>', 'SNS messages per second the fan-out is paced to', (v) => Number(v), 300)
  .option('--keep', "keep each run's data dir (printed) instead of deleting it")
  .parse()
  .opts<{ runs: number; seed: number; customers: number; throttle: number; fail: number; snsRate: number; keep?: boolean }>();

const settings = `${opts.runs} runs from seed ${opts.seed}, ${opts.customers} customers, throttle ${opts.throttle}, failed entries ${opts.fail}, SNS paced to ${opts.snsRate}/s`;
process.stdout.write(`chaos: ${settings}\n`);
const results: RunResult[] = [];
for (let i = 0; i < opts.runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), `impact-chaos-${opts.seed + i}-`));
  results.push(
    await chaosRun({
      seed: opts.seed + i,
      dir,
      customers: opts.customers,
      throttle: opts.throttle,
      fail: opts.fail,
      snsRate: opts.snsRate,
      log: (l) => process.stdout.write(`${l}\n`),
    }),
  );
  const r = results.at(-1)!;
  process.stdout.write(
    `  -> ${r.seconds} s: misses ${r.notices.misses.length}, doubles ${r.notices.doubles.length}, accepted not stored ${r.events.acceptedNotStored.length}, ledger mismatches ${r.ledgerMismatches.length}, dead letters ${r.deadLetters.length}\n`,
  );
  if (opts.keep) process.stdout.write(`  data: ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}
const table = markdown(results, settings);
process.stdout.write(`\n${table}\n`);
const results_dir = new URL('../../bench/results/', import.meta.url).pathname;
writeFileSync(join(results_dir, 'chaos.md'), `# Chaos suite (npm run chaos)\n\nMeasured ${new Date().toISOString().slice(0, 10)}.\n\n${table}\n`);
writeFileSync(join(results_dir, 'chaos.json'), `${JSON.stringify({ settings: opts, summary: summarize(results), runs: results }, null, 2)}\n`);
const s = summarize(results);
process.exitCode = s.misses + s.doubles + s.unexpected + s.acceptedNotStored + s.ledgerMismatches + s.leftOver > 0 ? 1 : 0;
