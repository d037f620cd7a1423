/**
 * Customer-impact metrics over a time range, folded from subjects (DESIGN section 11): customers
 * impacted, customer-minutes, touchpoint-minutes, time from detection to first notice, and incident
 * duration per touchpoint (MTTR). Open windows count up to `now`.
 */
import type { SubjectState } from './model.ts';

export interface SubjectFacts {
  state: SubjectState;
  customers: number;
  touchpoints: string[];
  /** When the first customer notice about it was sent (epoch ms), if any. */
  firstNoticeAt?: number;
}

export interface ImpactMetrics {
  from: string;
  to: string;
  subjects: number;
  customersImpacted: number;
  customerMinutes: number;
  touchpointMinutes: number;
  /** Incidents only: minutes from the incident's start (detection) to its first notice. */
  detectionToFirstNoticeMinutes: { count: number; mean?: number; max?: number };
  /** Resolved incidents: mean duration in minutes per touchpoint they hit. */
  mttrMinutesByTouchpoint: Record<string, number>;
}

const MINUTE = 60_000;

export const impactMetrics = (facts: readonly SubjectFacts[], range: { from: number; to: number }, now: number): ImpactMetrics => {
  let customersImpacted = 0;
  let customerMinutes = 0;
  let touchpointMinutes = 0;
  let subjects = 0;
  const detection: number[] = [];
  const durations = new Map<string, number[]>();
  for (const { state, customers, touchpoints, firstNoticeAt } of facts) {
    if (!state.opened || state.status === 'cancelled') continue;
    const start = Math.max(state.window.start, range.from);
    const end = Math.min(state.window.end ?? now, range.to, now);
    if (end <= start) continue;
    const minutes = (end - start) / MINUTE;
    subjects++;
    customersImpacted += customers;
    customerMinutes += customers * minutes;
    touchpointMinutes += touchpoints.length * minutes;
    if (state.type === 'incident') {
      if (firstNoticeAt !== undefined) detection.push(Math.max(0, (firstNoticeAt - state.window.start) / MINUTE));
      if (state.status === 'resolved' && state.window.end !== undefined) {
        for (const t of touchpoints) durations.set(t, [...(durations.get(t) ?? []), (state.window.end - state.window.start) / MINUTE]);
      }
    }
  }
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    subjects,
    customersImpacted,
    customerMinutes: round(customerMinutes),
    touchpointMinutes: round(touchpointMinutes),
    detectionToFirstNoticeMinutes: detection.length
      ? { count: detection.length, mean: round(detection.reduce((a, b) => a + b, 0) / detection.length), max: round(Math.max(...detection)) }
      : { count: 0 },
    mttrMinutesByTouchpoint: Object.fromEntries(
      [...durations].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, d]) => [t, round(d.reduce((a, b) => a + b, 0) / d.length)]),
    ),
  };
};
