/** Customer-impact metrics over a time range, folded from the event store, the projections and the notice counters. */
import { z } from 'zod';
import { impactMetrics, type ImpactMetrics } from '../../domain/metrics.ts';
import { foldSubject } from '../../domain/subject.ts';
import { endpoint } from './endpoint.ts';
import { orderedRange, param } from './http.ts';

export type { ImpactMetrics };

const DEFAULT_DAYS = 30;

export const metrics = endpoint(
  { query: z.object({ from: param.time('2026-12-01T00:00:00Z').optional(), to: param.time('2026-12-31T00:00:00Z').optional() }) },
  async ({ query }, deps): Promise<ImpactMetrics> => {
    const now = deps.now();
    const range = orderedRange({ from: query.from ?? now - DEFAULT_DAYS * 86_400_000, to: query.to ?? now });
    const histories = await deps.events.readAll();
    const facts = await Promise.all(
      [...histories].map(async ([key, history]) => {
        // The first notice from the subject's counters (a few small items), not its ledger (one item per notice).
        const [projection, counts] = await Promise.all([deps.projections.getSubject(key), deps.projections.noticeCounts(key)]);
        const first = counts.firstSentAt;
        return {
          state: foldSubject(history.map((h) => h.event)),
          customers: projection?.summary.customers ?? 0,
          touchpoints: (projection?.touchpoints ?? []).map((t) => t.id),
          ...(first !== undefined ? { firstNoticeAt: first } : {}),
        };
      }),
    );
    return impactMetrics(facts, range, now);
  },
);
