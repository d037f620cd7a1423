/**
 * A short chaos run inside `npm test`: two runs of the chaos suite (harness.ts) on a small graph, side by
 * side. `npm run chaos` runs more and larger ones and writes the table to bench/results/chaos.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chaosRun } from './harness.ts';
import { markdown, summarize } from './report.ts';
import { KILLS } from './scenario.ts';

describe('chaos: kills, a DynamoDB Local crash, throttling, failed entries, duplicated and reordered events', () => {
  it('nothing accepted is lost, every affected customer is told exactly once, every job is done or dead-lettered with its reason', async () => {
    const seed = 1 + (Date.now() % 10_000);
    const runs = await Promise.all(
      [seed, seed + 1].map((s) =>
        chaosRun({ seed: s, dir: mkdtempSync(join(tmpdir(), `impact-chaos-${s}-`)), customers: 150, throttle: 0.05, fail: 0.05, snsRate: 400 }),
      ),
    );
    const table = markdown(runs, `seeds ${seed} and ${seed + 1} (npm test)`);
    const s = summarize(runs);
    // The faults were injected: each kind of kill in each run, SDK faults on every service used.
    for (const kill of KILLS)
      expect(
        runs.reduce(
          (n, r) =>
            n +
            Object.entries(r.faults)
              .filter(([k]) => k === kill || (kill === 'kill-fan-out' && k === 'kill-after-fan-out'))
              .reduce((m, [, v]) => m + v, 0),
          0,
        ),
        `${kill}\n${table}`,
      ).toBeGreaterThan(0);
    expect(s.faults['duplicate-event'], table).toBeGreaterThan(0);
    expect(s.faults['reordered-event'], table).toBeGreaterThan(0);
    expect((s.faults['dynamodb throttle'] ?? 0) + (s.faults['dynamodb fail'] ?? 0), table).toBeGreaterThan(0);
    expect(s.expected, table).toBeGreaterThan(100);
    expect(
      {
        misses: s.misses,
        doubles: s.doubles,
        unexpected: s.unexpected,
        acceptedNotStored: s.acceptedNotStored,
        ledgerMismatches: s.ledgerMismatches,
        leftOver: s.leftOver,
      },
      table,
    ).toEqual({ misses: 0, doubles: 0, unexpected: 0, acceptedNotStored: 0, ledgerMismatches: 0, leftOver: 0 });
    for (const r of runs) for (const letter of r.deadLetters) expect(letter.reason, table).toMatch(/\w+/);
  }, 420_000);
});
