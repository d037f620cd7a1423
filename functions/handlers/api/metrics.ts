/**
 * Customer-impact metrics over a time range, folded from the metrics facts the assessments keep (one
 * small item per subject: state, customers, touchpoints, first notice), read by window: the subjects
 * the range overlaps (adapters/metrics-facts.ts), never the whole history, the event store or a ledger.
 */
import { z } from 'zod';
import { impactMetrics, type ImpactMetrics } from '../../domain/metrics.ts';
import { endpoint } from './endpoint.ts';
import { orderedRange, param } from './http.ts';

export type { ImpactMetrics };

const DEFAULT_DAYS = 30;

export const metrics = endpoint(
  { query: z.object({ from: param.time('2026-12-01T00:00:00Z').optional(), to: param.time('2026-12-31T00:00:00Z').optional() }) },
  async ({ query }, deps): Promise<ImpactMetrics> => {
    const now = deps.now();
    const range = orderedRange({ from: query.from ?? now - DEFAULT_DAYS * 86_400_000, to: query.to ?? now });
    await deps.projections.ensureMetricsIndex();
    return impactMetrics(await deps.projections.metricsFactsIn(range), range, now);
  },
);
