/**
 * `npm run bench -- assess`: loading a 1M-customer estate from CSV and assessing a subject that
 * reaches at least 300,000 customers. Targets on a 2-core machine: load <= 15 s, assessment <= 1 s,
 * peak RSS <= 2 GB. Results: bench/results/assess.json.
 */
import { writeFileSync } from 'node:fs';
import { loadGraph } from '../functions/adapters/graph-files.ts';
import { assess } from '../functions/domain/impact/assess.ts';
import { initialSubject } from '../functions/domain/subject.ts';
import { BIG, estate } from './lib/estate.ts';

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

let t = process.hrtime.bigint();
const files = await estate(BIG);
const generateSeconds = seconds(t);

t = process.hrtime.bigint();
const { graph } = await loadGraph({ graphFiles: [files.graph], customersCsv: files.customers, usageCsv: files.usage });
const loadSeconds = seconds(t);
let usages = 0;
for (const list of graph.usagesByTouchpoint.values()) usages += list.length;

const subject = {
  ...initialSubject('change', 'CHG-BENCH'),
  opened: true,
  status: 'scheduled' as const,
  impacts: [{ node: files.hotComponent, effect: 'outage' as const }],
  window: { start: Date.UTC(2026, 11, 5, 2), end: Date.UTC(2026, 11, 5, 4) },
  scopeVersion: 1,
};
const runs: number[] = [];
let affected = 0;
let touchpointsHit = 0;
for (let i = 0; i < 5; i++) {
  t = process.hrtime.bigint();
  const a = assess(graph, subject);
  runs.push(seconds(t));
  affected = a.summary.customers;
  touchpointsHit = a.summary.touchpoints;
}
const sorted = [...runs].sort((a, b) => a - b);
const assessSeconds = sorted[Math.floor(sorted.length / 2)];
const peakRssMb = process.resourceUsage().maxRSS / 1024;

const result = {
  estate: { components: graph.components.size, touchpoints: graph.touchpoints.size, customers: graph.customers.size, usages },
  generateSeconds: +generateSeconds.toFixed(2),
  loadSeconds: +loadSeconds.toFixed(2),
  assessment: { customersAffected: affected, touchpointsHit, medianSeconds: +assessSeconds.toFixed(3), runs: runs.map((r) => +r.toFixed(3)) },
  peakRssMb: Math.round(peakRssMb),
  targets: { loadSeconds: 15, assessSeconds: 1, peakRssMb: 2048 },
  met: { load: loadSeconds <= 15, assess: assessSeconds <= 1 && affected >= 300_000, rss: peakRssMb <= 2048 },
  node: process.version,
  measuredAt: new Date().toISOString(),
};
writeFileSync(new URL('results/assess.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.table({
  'load (s)': { measured: result.loadSeconds, target: 15, met: result.met.load },
  'assess (s, median of 5)': { measured: result.assessment.medianSeconds, target: 1, met: result.met.assess },
  'peak RSS (MB)': { measured: result.peakRssMb, target: 2048, met: result.met.rss },
});
console.log(`estate: ${JSON.stringify(result.estate)}; affected customers ${affected}, touchpoints hit ${touchpointsHit}`);
