/** The chaos suite's table: faults injected by kind, and what was missed, doubled or left over, per run and in total. */
import type { RunResult } from './harness.ts';

export interface ChaosSummary {
  runs: number;
  seconds: number;
  faults: Record<string, number>;
  expected: number;
  misses: number;
  doubles: number;
  unexpected: number;
  acceptedNotStored: number;
  ledgerMismatches: number;
  deadLetters: number;
  leftOver: number;
}

export const summarize = (results: readonly RunResult[]): ChaosSummary => {
  const faults: Record<string, number> = {};
  for (const r of results) for (const [kind, n] of Object.entries(r.faults)) faults[kind] = (faults[kind] ?? 0) + n;
  const sum = (f: (r: RunResult) => number) => results.reduce((n, r) => n + f(r), 0);
  return {
    runs: results.length,
    seconds: sum((r) => r.seconds),
    faults: Object.fromEntries(Object.entries(faults).sort(([a], [b]) => (a < b ? -1 : 1))),
    expected: sum((r) => r.notices.expected),
    misses: sum((r) => r.notices.misses.length),
    doubles: sum((r) => r.notices.doubles.length),
    unexpected: sum((r) => r.notices.unexpected.length),
    acceptedNotStored: sum((r) => r.events.acceptedNotStored.length),
    ledgerMismatches: sum((r) => r.ledgerMismatches.length),
    deadLetters: sum((r) => r.deadLetters.length),
    leftOver: sum((r) => r.leftOver.jobs + r.leftOver.inbox),
  };
};

/** The table as Markdown: one row per run, then the totals; targets 0 for every column after the faults. */
export const markdown = (results: readonly RunResult[], settings: string): string => {
  const s = summarize(results);
  const kinds = Object.keys(s.faults);
  const header = [
    'run (seed)',
    'seconds',
    ...kinds,
    'notices expected',
    'misses',
    'doubles',
    'unexpected',
    'accepted, not stored',
    'ledger ≠ outbox',
    'dead letters',
    'jobs left',
  ];
  const row = (r: RunResult) => [
    String(r.seed),
    String(r.seconds),
    ...kinds.map((k) => String(r.faults[k] ?? 0)),
    String(r.notices.expected),
    String(r.notices.misses.length),
    String(r.notices.doubles.length),
    String(r.notices.unexpected.length),
    String(r.events.acceptedNotStored.length),
    String(r.ledgerMismatches.length),
    String(r.deadLetters.length),
    String(r.leftOver.jobs + r.leftOver.inbox),
  ];
  const total = [
    `**${s.runs} runs**`,
    String(s.seconds),
    ...kinds.map((k) => String(s.faults[k])),
    String(s.expected),
    String(s.misses),
    String(s.doubles),
    String(s.unexpected),
    String(s.acceptedNotStored),
    String(s.ledgerMismatches),
    String(s.deadLetters),
    String(s.leftOver),
  ];
  const lines = [header, header.map(() => '---'), ...results.map(row), total].map((cells) => `| ${cells.join(' | ')} |`);
  const details = results.flatMap((r) => [
    ...r.notices.misses.slice(0, 5).map((m) => `- run ${r.seed}: missed ${m}`),
    ...r.notices.doubles.slice(0, 5).map((d) => `- run ${r.seed}: doubled ${d}`),
    ...r.deadLetters.slice(0, 5).map((d) => `- run ${r.seed}: dead letter (${d.source}): ${d.reason}`),
  ]);
  return [
    `Settings: ${settings}`,
    '',
    ...lines,
    '',
    'Targets: 0 in every column from "misses" on (dead letters are allowed when they carry their reason).',
    ...(details.length > 0 ? ['', ...details] : []),
  ].join('\n');
};
