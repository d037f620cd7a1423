import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../../functions/domain/model.ts';
import { airlineSample } from '../../support/airline.ts';
import { BRIEFINGS, context, noticesOf, pipeline } from '../../support/pipeline.ts';
import { busEvent } from '../../support/events.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
const MINUTE = 60_000;
const ev = (detailType: string, detail: Record<string, unknown>, id: string) => busEvent(detailType, detail, { id, source: 'acme.changes', at: NOW });
const countBy = (list: { customerId: string; kind: string }[]) => {
  const counts = new Map<string, number>();
  for (const n of list) counts.set(`${n.customerId}/${n.kind}`, (counts.get(`${n.customerId}/${n.kind}`) ?? 0) + 1);
  return counts;
};

// The graph is input only; each test runs its own pipeline (tables, fakes) so none sees another's notices.
let graph: Graph;
let restore: (() => void) | undefined;
beforeAll(async () => {
  graph = await airlineSample(300);
});
afterEach(() => restore?.());
// The pipeline's clock: updates to customers told minutes before wait for the merge window.
let clock = NOW;
const freshPipeline = async () => {
  clock = NOW;
  const p = await pipeline(() => clock);
  restore = p.aws.restore;
  await p.deps.graph.import(graph);
  return p;
};

describe('chain: events in, stream records, assess, notify jobs, SNS messages out', () => {
  it('a change lifecycle: scheduled, updated, reminder, cancelled', async () => {
    const p = await freshPipeline();
    await p.ingest(
      ev(
        'Change Scheduled',
        {
          changeId: 'CHG-1',
          title: 'Payments database maintenance',
          occurredAt: '2026-11-28T13:00:00Z',
          window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' },
          impacts: [{ node: 'payments-db' }],
          team: 'payments',
          customerMessage: 'Pay later in the app.',
        },
        'e1',
      ),
      context,
    );
    expect(await p.drain()).toBe(0);
    const projection = await p.deps.projections.getSubject('change#CHG-1');
    const reachable = (await p.deps.projections.customersOfSubject('change#CHG-1')).filter((c) => c.notify.length > 0);
    expect(reachable.length).toBeGreaterThan(100);
    let notices = noticesOf(p.aws);
    expect(notices.filter((n) => n.kind === 'change-notice')).toHaveLength(reachable.length);
    expect(projection?.summary.customers).toBeGreaterThanOrEqual(reachable.length);
    const sample = notices[0];
    expect(sample).toMatchObject({ subject: 'change#CHG-1', title: expect.stringMatching(/Payments database maintenance/) });
    expect(sample.to).toBeTruthy();
    expect(sample.noticeId).toBe(`change#CHG-1/${sample.customerId}/change-notice/1`);
    const attributes = p.aws.published.find((x) => x.message === (sample as never))!.attributes;
    expect(Object.keys(attributes).sort()).toEqual(['channel', 'effect', 'kind', 'locale', 'segment']);
    const briefings = p.aws.published.filter((x) => x.topicArn === BRIEFINGS);
    expect(briefings.length).toBeGreaterThan(0);
    expect(Object.keys(briefings[0].attributes).sort()).toEqual(['kind', 'region', 'severity', 'team']);
    expect(briefings.map((b) => b.attributes.team)).toContain('payments');
    expect(p.aws.schedules.map((s) => s.name)).toEqual(
      expect.arrayContaining(['change-CHG-1-reminder-24h-v1', 'change-CHG-1-reminder-1h-v1', 'change-CHG-1-overrun-v1']),
    );
    expect(p.aws.events.some((e) => e.detailType === 'Impact Assessed' && e.detail.subjectKey === 'change#CHG-1')).toBe(true);

    await p.ingest(
      ev(
        'Change Updated',
        { changeId: 'CHG-1', occurredAt: '2026-11-28T13:30:00Z', window: { start: '2026-12-06T02:00:00Z', end: '2026-12-06T04:00:00Z' } },
        'e2',
      ),
      context,
    );
    expect(await p.drain()).toBe(0);
    // Told a minute ago: the update waits for the merge window, then goes out.
    expect(noticesOf(p.aws).filter((n) => n.kind === 'change-update')).toHaveLength(0);
    clock += 5 * MINUTE;
    expect(await p.drain()).toBe(0);
    notices = noticesOf(p.aws);
    expect(notices.filter((n) => n.kind === 'change-update')).toHaveLength(reachable.length);

    await p.remind({ ...ev('Notice Due', { subjectKey: 'change#CHG-1', kind: 'reminder', version: 2024 }, 'r1'), source: 'impact.pipeline' }, context);
    expect(await p.drain()).toBe(0);
    notices = noticesOf(p.aws);
    expect(notices.filter((n) => n.kind === 'reminder')).toHaveLength(reachable.length);

    await p.ingest(ev('Change Cancelled', { changeId: 'CHG-1', occurredAt: '2026-11-28T13:45:00Z', reason: 'vendor not ready' }, 'e3'), context);
    expect(await p.drain()).toBe(0);
    notices = noticesOf(p.aws);
    expect(notices.filter((n) => n.kind === 'change-cancelled')).toHaveLength(reachable.length);
    expect([...countBy(notices).values()].every((n) => n === 1)).toBe(true);
    expect(new Set(notices.map((n) => n.noticeId)).size).toBe(notices.length);
    expect(await p.deps.projections.customersOfSubject('change#CHG-1')).toEqual([]);
  });

  it('an incident lifecycle: opened, grown, cadence update, resolved', async () => {
    const p = await freshPipeline();
    await p.ingest(
      ev(
        'Incident Opened',
        {
          incidentId: 'INC-1',
          title: 'Login failures',
          severity: 'sev2',
          occurredAt: '2026-11-28T13:50:00Z',
          startedAt: '2026-11-28T13:40:00Z',
          impacts: [{ node: 'identity-db' }],
        },
        'i1',
      ),
      context,
    );
    expect(await p.drain()).toBe(0);
    const opened = noticesOf(p.aws);
    expect(opened.length).toBeGreaterThan(50);
    expect(new Set(opened.map((n) => n.kind))).toEqual(new Set(['incident-notice']));

    await p.ingest(
      ev(
        'Incident Updated',
        {
          incidentId: 'INC-1',
          status: 'identified',
          occurredAt: '2026-11-28T13:55:00Z',
          impacts: [{ node: 'identity-db' }, { node: 'booking-db', effect: 'degraded' }],
        },
        'i2',
      ),
      context,
    );
    expect(await p.drain()).toBe(0);
    clock += 5 * MINUTE;
    expect(await p.drain()).toBe(0);
    const grown = noticesOf(p.aws).slice(opened.length);
    const newlyTold = grown.filter((n) => n.kind === 'incident-notice');
    expect(newlyTold.length).toBeGreaterThan(0);
    expect(grown.filter((n) => n.kind === 'incident-update')).toHaveLength(opened.length);
    const told = opened.length + newlyTold.length;

    // The cadence fires on the hour.
    clock = NOW + 60 * MINUTE;
    await p.remind(
      { ...ev('Notice Due', { subjectKey: 'incident#INC-1', kind: 'incident-update', version: NOW / 60_000 + 60 }, 'r2'), source: 'impact.pipeline' },
      context,
    );
    expect(await p.drain()).toBe(0);
    expect(noticesOf(p.aws).filter((n) => n.subject === 'incident#INC-1' && n.kind === 'incident-update')).toHaveLength(opened.length + told);

    await p.ingest(ev('Incident Resolved', { incidentId: 'INC-1', occurredAt: '2026-11-28T14:00:00Z' }, 'i3'), context);
    expect(await p.drain()).toBe(0);
    const all = noticesOf(p.aws).filter((n) => n.subject === 'incident#INC-1');
    expect(all.filter((n) => n.kind === 'incident-resolved')).toHaveLength(told);
    const counts = countBy(all);
    for (const [key, n] of counts) expect(key.endsWith('incident-update') ? n <= 2 : n === 1, key).toBe(true);
  });
});
