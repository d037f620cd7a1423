/**
 * Customer-impact metrics over a time range, folded from the metrics facts the assessments keep (one
 * small item per subject: state, customers, touchpoints) and each subject's notice counters (its first
 * notice): never the event store or a ledger, whose size grows with the events and the notices.
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
    const facts = await Promise.all(
      (await deps.projections.metricsFacts()).map(async ({ subjectKey, ...fact }) => {
        const { firstSentAt } = await deps.projections.noticeCounts(subjectKey);
        return { ...fact, ...(firstSentAt !== undefined ? { firstNoticeAt: firstSentAt } : {}) };
      }),
    );
    return impactMetrics(facts, range, now);
  },
);
