import { describe, expect, it } from 'vitest';
import { impactMetrics } from '../../functions/domain/metrics.ts';
import { openChange } from '../support/graphs.ts';

const T = (min: number) => Date.UTC(2026, 11, 5) + min * 60_000;
const incident = (start: number, end: number | undefined) => ({
  ...openChange([], end === undefined ? { start } : { start, end }, 'INC'),
  type: 'incident' as const,
  status: end === undefined ? ('open' as const) : ('resolved' as const),
});

describe('impact metrics', () => {
  it('customer-minutes, touchpoint-minutes, detection to first notice and MTTR per touchpoint', () => {
    const m = impactMetrics(
      [
        { state: openChange([], { start: T(0), end: T(120) }), customers: 100, touchpoints: ['web'] },
        { state: incident(T(60), T(90)), customers: 10, touchpoints: ['kiosk', 'web'], firstNoticeAt: T(65) },
        { state: incident(T(200), T(260)), customers: 4, touchpoints: ['kiosk'], firstNoticeAt: T(215) },
        { state: { ...openChange([], { start: T(0), end: T(60) }), status: 'cancelled' as const }, customers: 50, touchpoints: ['web'] },
      ],
      { from: T(0), to: T(300) },
      T(1000),
    );
    expect(m).toMatchObject({
      subjects: 3,
      customersImpacted: 114,
      customerMinutes: 100 * 120 + 10 * 30 + 4 * 60,
      touchpointMinutes: 120 + 2 * 30 + 60,
      detectionToFirstNoticeMinutes: { count: 2, mean: 10, max: 15 },
      mttrMinutesByTouchpoint: { kiosk: 45, web: 30 },
    });
  });

  it('clamps windows to the range and counts open incidents up to now', () => {
    const m = impactMetrics([{ state: incident(T(0), undefined), customers: 2, touchpoints: ['ivr'] }], { from: T(30), to: T(600) }, T(90));
    expect(m).toMatchObject({ customerMinutes: 2 * 60, touchpointMinutes: 60, mttrMinutesByTouchpoint: {} });
  });
});
