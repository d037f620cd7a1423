import { afterEach, describe, expect, it } from 'vitest';
import { parseEvent } from '../../../functions/domain/events/index.ts';
import { assess } from '../../../functions/domain/impact/assess.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { airlineSample } from '../../support/airline.ts';
import { context, noticesOf, pipeline } from '../../support/pipeline.ts';
import { busEvent } from '../../support/events.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
const ev = (source: string, detailType: string, detail: Record<string, unknown>, id: string) => busEvent(detailType, detail, { id, source, at: NOW });
const window = { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' };
const fromServiceNow = ev(
  'servicenow',
  'Change Scheduled',
  { changeId: 'CHG0030002', title: 'Payments maintenance', occurredAt: '2026-11-28T10:00:00Z', window, impacts: [{ node: 'payments-db' }] },
  'sn-1',
);
const fromJira = ev(
  'jira',
  'Change Scheduled',
  {
    changeId: 'CHG0030002',
    title: 'Airport network swap',
    occurredAt: '2026-11-28T11:00:00Z',
    window: { start: '2026-12-06T02:00:00Z', end: '2026-12-06T04:00:00Z' },
    impacts: [{ node: 'net-ams' }],
  },
  'jira-1',
);

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe('a second source using the same subject id', () => {
  it("is refused as a recorded rejection naming the owner: the first source's title and window stay, only its customers are told", async () => {
    const p = await pipeline(() => NOW);
    restore = p.aws.restore;
    const graph = await airlineSample(200);
    await p.deps.graph.import(graph);
    await p.ingest(fromServiceNow, context);
    expect(await p.drain()).toBe(0);
    const result = await p.ingest(fromJira, context);
    expect(await p.drain()).toBe(0);

    expect(result).toEqual({ appended: 0, duplicates: 0, rejected: 1 });
    const reason =
      'source: change CHG0030002 belongs to "servicenow", the tool that first used the id; events from "jira" on it are refused: send them from servicenow, give the change an id of its own, or act on it from the console';
    expect(p.aws.events.find((e) => e.detailType === 'Event Rejected')?.detail).toMatchObject({
      eventId: 'jira-1',
      detailType: 'Change Scheduled',
      source: 'jira',
      code: 'subject-owned',
      reasons: [reason],
    });
    expect(await p.deps.projections.rejectionsOn('2026-11-28')).toEqual([
      expect.objectContaining({ eventId: 'jira-1', source: 'jira', code: 'subject-owned', reasons: [reason] }),
    ]);
    expect((await p.deps.projections.getSubject('change#CHG0030002'))?.state).toMatchObject({
      title: 'Payments maintenance',
      window: { start: Date.parse(window.start) },
    });
    // Told: exactly the customers of the servicenow change, worked out by the pure what-if.
    const expected = assess(graph, foldSubject([parseEvent(fromServiceNow)]))
      .customers.filter((c) => c.notify.length > 0)
      .map((c) => c.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(
      noticesOf(p.aws)
        .map((n) => n.customerId)
        .sort(),
    ).toEqual(expected);
  });
});
