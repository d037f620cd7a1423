import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { parseEvent } from '../../../functions/domain/events/index.ts';
import { assess } from '../../../functions/domain/impact/assess.ts';
import type { Graph } from '../../../functions/domain/model.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { airlineSample } from '../../support/airline.ts';
import { PUBLISH_RETRIES } from '../../../functions/domain/notices/jobs.ts';
import { DLQ, PLAN_QUEUE, QUEUE, context, noticesOf, pipeline } from '../../support/pipeline.ts';
import { busEvent } from '../../support/events.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
const ev = (detailType: string, detail: Record<string, unknown>, id: string) => busEvent(detailType, detail, { id, source: 'acme', at: NOW });
const scheduled = ev(
  'Change Scheduled',
  {
    changeId: 'CHG-9',
    eventId: 'chg-9-s',
    title: 'Payments maintenance',
    occurredAt: '2026-11-28T10:00:00Z',
    window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' },
    impacts: [{ node: 'payments-db' }],
  },
  'e1',
);
const updated = ev(
  'Change Updated',
  { changeId: 'CHG-9', eventId: 'chg-9-u', occurredAt: '2026-11-28T11:00:00Z', window: { start: '2026-12-06T02:00:00Z', end: '2026-12-06T04:00:00Z' } },
  'e2',
);

const setup = async (customers = 120, edit?: (graph: Graph) => void) => {
  const p = await pipeline(() => NOW);
  const graph = await airlineSample(customers);
  edit?.(graph);
  await p.deps.graph.import(graph);
  return { ...p, graph };
};
/** Who must hear of these events: worked out from the graph by the pure what-if, not read back from the pipeline. */
const recipientsOf = (graph: Graph, ...events: EventBridgeEvent<string, unknown>[]) =>
  assess(graph, foldSubject(events.map((e) => parseEvent(e))))
    .customers.filter((c) => c.notify.length > 0)
    .map((c) => c.id)
    .sort();
const customersOf = (notices: { customerId: string }[]) => notices.map((n) => n.customerId).sort();
const exactlyOnce = (notices: { customerId: string; kind: string }[]) => {
  const seen = new Map<string, number>();
  for (const n of notices) seen.set(`${n.customerId}/${n.kind}`, (seen.get(`${n.customerId}/${n.kind}`) ?? 0) + 1);
  return [...seen.values()].every((n) => n === 1);
};

let restore: (() => void) | undefined;

/** A pipeline on a clock the test moves, with SNS refusing every PublishBatch entry until told otherwise. */
const refusingSns = async (customers: number) => {
  const clock = { now: NOW };
  const p = await pipeline(() => clock.now);
  restore = p.aws.restore;
  const graph = await airlineSample(customers);
  await p.deps.graph.import(graph);
  p.aws.failNextPublishes(1_000_000);
  return { p, graph, clock };
};
afterEach(() => restore?.());

describe('faults: nobody gets a notice twice, none is lost', () => {
  it('the same event delivered five times', async () => {
    const p = await setup();
    restore = p.aws.restore;
    for (let i = 0; i < 5; i++) await p.ingest({ ...scheduled, id: `redelivery-${i}` }, context);
    expect(await p.drain()).toBe(0);
    expect((await p.deps.events.readSubject('change#CHG-9')).length).toBe(1);
    const notices = noticesOf(p.aws);
    expect(notices.length).toBeGreaterThan(0);
    expect(customersOf(notices)).toEqual(recipientsOf(p.graph, scheduled));
    expect(exactlyOnce(notices)).toBe(true);
  });

  it('events in reverse order: the update is held until the opening event arrives', async () => {
    const p = await setup();
    restore = p.aws.restore;
    await p.ingest(updated, context);
    expect(await p.drain()).toBe(0);
    expect(noticesOf(p.aws)).toEqual([]);
    await p.ingest(scheduled, context);
    expect(await p.drain()).toBe(0);
    const notices = noticesOf(p.aws);
    expect(new Set(notices.map((n) => n.kind))).toEqual(new Set(['change-notice']));
    expect(customersOf(notices)).toEqual(recipientsOf(p.graph, scheduled, updated));
    expect(exactlyOnce(notices)).toBe(true);
    expect((await p.deps.projections.getSubject('change#CHG-9'))?.state.window.start).toBe(Date.parse('2026-12-06T02:00:00Z'));
  });

  it('a notify worker dies after half its batch and the job is retried', async () => {
    const p = await setup();
    restore = p.aws.restore;
    await p.ingest(scheduled, context);
    const stream = await p.streamBatch();
    await p.assess(stream, context);
    for (const shards of p.jobBatches(PLAN_QUEUE)) await p.plan(shards, context);
    const jobs = p.jobBatches();
    p.aws.crashOnPublishBatch(3);
    const failures: { messageId: string; event: (typeof jobs)[number] }[] = [];
    for (const batch of jobs) {
      const result = await p.notify(batch, context);
      for (const f of result.batchItemFailures) failures.push({ messageId: f.itemIdentifier, event: batch });
    }
    expect(failures.length).toBeGreaterThan(0);
    const sentBefore = noticesOf(p.aws).length;
    // SQS redelivers the failed messages (same message id): only those are retried.
    for (const f of failures) await p.notify({ Records: f.event.Records.filter((r) => r.messageId === f.messageId) }, context);
    const notices = noticesOf(p.aws);
    expect(notices.length).toBeGreaterThan(sentBefore);
    expect(customersOf(notices)).toEqual(recipientsOf(p.graph, scheduled));
    expect(exactlyOnce(notices)).toBe(true);
  });

  it('a notify worker dies between marking its batches sent and counting them: the retried job counts them, once', async () => {
    const p = await setup();
    restore = p.aws.restore;
    await p.ingest(scheduled, context);
    await p.assess(await p.streamBatch(), context);
    for (const shards of p.jobBatches(PLAN_QUEUE)) await p.plan(shards, context);
    // The first counting transaction never reaches DynamoDB: the worker is gone after its marks.
    let killed = 0;
    p.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { TransactItems?: { Update?: { ExpressionAttributeValues?: Record<string, unknown> } }[] };
        if (killed === 0 && input.TransactItems?.some((t) => t.Update?.ExpressionAttributeValues?.[':kind'] === 'count-token')) {
          killed++;
          throw new Error('worker killed');
        }
        return next(args);
      },
      { step: 'initialize', name: 'killBeforeCount' },
    );
    const failed: SQSEvent[] = [];
    for (const batch of p.jobBatches()) {
      const result = await p.notify(batch, context);
      const ids = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      if (ids.size > 0) failed.push({ Records: batch.Records.filter((r) => ids.has(r.messageId)) });
    }
    p.client.middlewareStack.remove('killBeforeCount');
    expect(killed).toBe(1);
    expect(failed.length).toBe(1);
    const ledger = (await p.deps.ledger.sentAbout('change#CHG-9')).length;
    expect((await p.deps.projections.noticeCounts('change#CHG-9')).byKind['change-notice']).toBeLessThan(ledger);
    // SQS redelivers the message (same message id): its resumed claims find the marks and count them.
    for (const event of failed) expect((await p.notify(event, context)).batchItemFailures).toEqual([]);
    const notices = noticesOf(p.aws);
    expect(exactlyOnce(notices)).toBe(true);
    expect(customersOf(notices)).toEqual(recipientsOf(p.graph, scheduled));
    expect((await p.deps.ledger.sentAbout('change#CHG-9')).length).toBe(notices.length);
    expect((await p.deps.projections.noticeCounts('change#CHG-9')).byKind).toEqual({ 'change-notice': notices.length });
    // Another redelivery (SQS delivers at least once) counts nothing more.
    for (const event of failed) await p.notify(event, context);
    expect((await p.deps.projections.noticeCounts('change#CHG-9')).byKind).toEqual({ 'change-notice': notices.length });
  });

  it('SNS entries that fail once and then succeed', async () => {
    const p = await setup();
    restore = p.aws.restore;
    p.aws.failNextPublishes(15);
    await p.ingest(scheduled, context);
    expect(await p.drain()).toBe(0);
    const notices = noticesOf(p.aws);
    expect(customersOf(notices)).toEqual(recipientsOf(p.graph, scheduled));
    expect(exactlyOnce(notices)).toBe(true);
    expect(p.aws.queued.filter((q) => q.queueUrl.endsWith('-dlq'))).toEqual([]);
  });

  it('SNS refuses every entry through all its retries: the notices are queued again, and told once when SNS takes them', async () => {
    const { p, graph, clock } = await refusingSns(40);
    await p.ingest(scheduled, context);
    expect(await p.drain()).toBe(0);
    expect(noticesOf(p.aws)).toEqual([]);
    const again = p.aws.queued.filter((q) => q.queueUrl === QUEUE && JSON.parse(q.body).publishRetries === 1);
    expect(again.length).toBeGreaterThan(0);
    expect(again.every((q) => q.delaySeconds === 15)).toBe(true);
    p.aws.failNextPublishes(0);
    clock.now += 16_000;
    expect(await p.drain()).toBe(0);
    const notices = noticesOf(p.aws);
    expect(customersOf(notices)).toEqual(recipientsOf(graph, scheduled));
    expect(exactlyOnce(notices)).toBe(true);
    expect(p.aws.queued.filter((q) => q.queueUrl === DLQ)).toEqual([]);
  });

  it(`SNS refuses them ${PUBLISH_RETRIES + 1} rounds in a row: dead-lettered with the reason, claims released for a redrive`, async () => {
    const { p, graph, clock } = await refusingSns(20);
    await p.ingest(scheduled, context);
    const delays: number[] = [];
    for (let round = 0; round <= PUBLISH_RETRIES; round++) {
      const queued = p.aws.queued.length;
      expect(await p.drain()).toBe(0);
      const requeued = p.aws.queued.slice(queued).filter((q) => q.queueUrl === QUEUE && JSON.parse(q.body).publishRetries);
      delays.push(...new Set(requeued.map((q) => q.delaySeconds)));
      clock.now += 15 * 60_000;
    }
    expect(delays).toEqual([15, 30, 60, 120]);
    const letters = p.aws.queued.filter((q) => q.queueUrl === DLQ).map((q) => JSON.parse(q.body));
    expect(letters.length).toBeGreaterThan(0);
    for (const letter of letters) {
      expect(letter.reason).toMatch(/publish failed/);
      expect(letter.failures.every((f: { reason: string }) => /InternalError/.test(f.reason))).toBe(true);
    }
    const dead = letters.flatMap((l) => l.job.customers.map((c: { id: string }) => c.id)).sort();
    expect(dead).toEqual(recipientsOf(graph, scheduled));
    expect(noticesOf(p.aws)).toEqual([]);
    // An operator's redrive (a new message id) finds the claims released and sends each notice once.
    p.aws.failNextPublishes(0);
    for (const [i, letter] of letters.entries())
      await p.notify(
        { Records: [{ messageId: `redrive-${i}`, receiptHandle: 'r', body: JSON.stringify(letter.job), attributes: {} }] } as unknown as SQSEvent,
        context,
      );
    expect(customersOf(noticesOf(p.aws))).toEqual(recipientsOf(graph, scheduled));
    expect(exactlyOnce(noticesOf(p.aws))).toBe(true);
  });

  it('a bad event is recorded, emitted as Event Rejected, and the next good one still goes through', async () => {
    const p = await setup(20);
    restore = p.aws.restore;
    await p.ingest(
      ev('Change Scheduled', { changeId: 'CHG-X', title: 'bad', window: { start: '2026-12-05T04:00:00Z', end: '2026-12-05T02:00:00Z' }, impacts: [] }, 'bad-1'),
      context,
    );
    await p.ingest(scheduled, context);
    expect(p.aws.events.find((e) => e.detailType === 'Event Rejected')?.detail).toMatchObject({
      eventId: 'bad-1',
      reasons: [expect.stringContaining('detail.window.end')],
    });
    expect(await p.deps.projections.rejectionsOn(new Date(NOW).toISOString().slice(0, 10))).toHaveLength(1);
    expect((await p.deps.events.readSubject('change#CHG-9')).length).toBe(1);
  });

  it('no e-mail address or phone number reaches the logs', async () => {
    const p = await setup(60);
    restore = p.aws.restore;
    // POWERTOOLS_DEV (vitest.config.ts) makes the logger write through the global console.
    const lines: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
    );
    try {
      await p.ingest(scheduled, context);
      // A producer's mistake: a contact detail where an id belongs. The rejection quotes it; the log must not.
      await p.ingest(ev('Change Cancelled', { changeId: 'jane.doe@example.com' }, 'bad-contact'), context);
      p.aws.failNextPublishes(3);
      await p.drain();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const notices = noticesOf(p.aws);
    expect(notices.length).toBeGreaterThan(0);
    const log = lines.join('');
    expect(log).toContain('notices sent');
    expect(log).toContain('event rejected');
    expect(p.aws.events.find((e) => e.detailType === 'Event Rejected')?.detail).toMatchObject({
      reasons: [expect.stringContaining('"jane.doe@example.com" is not a valid change id')],
    });
    expect(log).not.toMatch(/@example\.com/);
    expect(log).not.toMatch(/\+\d{9,}/);
    for (const n of notices) expect(log).not.toContain(n.to);
  });
});

describe('an incident inside an announced change window on the same nodes', () => {
  it('is folded into the change: customers told of the change get no incident notice, the others do', async () => {
    // One customer books the website after the change window: the incident reaches them, the change did not.
    const p = await setup(120, (graph) => {
      graph.customers.set('C-LATE', { id: 'C-LATE', contacts: { email: 'late@example.com' }, channels: ['email'], optOut: false });
      graph.usagesByTouchpoint
        .get('web-booking')!
        .push({ customerId: 'C-LATE', touchpoint: 'web-booking', from: Date.parse('2026-11-28T16:00:00Z'), to: Date.parse('2026-11-28T17:00:00Z') });
    });
    restore = p.aws.restore;
    const change = ev(
      'Change Scheduled',
      {
        changeId: 'CHG-F',
        title: 'Payments failover',
        occurredAt: '2026-11-28T09:00:00Z',
        window: { start: '2026-11-28T13:00:00Z', end: '2026-11-28T15:00:00Z' },
        impacts: [{ node: 'payments-db' }],
      },
      'f1',
    );
    await p.ingest(change, context);
    expect(await p.drain()).toBe(0);
    const told = new Set(
      noticesOf(p.aws)
        .filter((n) => n.kind === 'change-notice')
        .map((n) => n.customerId),
    );
    expect([...told].sort()).toEqual(recipientsOf(p.graph, change));
    const incident = ev(
      'Incident Opened',
      { incidentId: 'INC-F', title: 'Payments errors', severity: 'sev2', occurredAt: '2026-11-28T13:30:00Z', impacts: [{ node: 'payments-db' }] },
      'f2',
    );
    await p.ingest(incident, context);
    expect(await p.drain()).toBe(0);
    const incidentNotices = noticesOf(p.aws).filter((n) => n.subject === 'incident#INC-F');
    // Everyone the incident reaches, except those told of the change (bookings after the window, say).
    const others = recipientsOf(p.graph, incident).filter((id) => !told.has(id));
    expect(others).toContain('C-LATE');
    expect(customersOf(incidentNotices)).toEqual(others);
    // A second incident on a node the change does not name is not folded.
    await p.ingest(
      ev(
        'Incident Opened',
        { incidentId: 'INC-G', title: 'Login errors', severity: 'sev2', occurredAt: '2026-11-28T13:40:00Z', impacts: [{ node: 'identity-db' }] },
        'f3',
      ),
      context,
    );
    expect(await p.drain()).toBe(0);
    expect(noticesOf(p.aws).filter((n) => n.subject === 'incident#INC-G').length).toBeGreaterThan(0);
  });
});

describe('replayed events', () => {
  it('rebuild the projections but never notify', async () => {
    const p = await setup(60);
    restore = p.aws.restore;
    await p.ingest({ ...scheduled, 'replay-name': 'rebuild-2026-11' } as typeof scheduled, context);
    expect(await p.drain()).toBe(0);
    expect((await p.deps.projections.getSubject('change#CHG-9'))?.summary.customers).toBeGreaterThan(0);
    expect(noticesOf(p.aws)).toEqual([]);
    // Only the planner's shards were queued (they re-project); no notice job, no briefing.
    expect(p.aws.queued.filter((q) => q.queueUrl !== PLAN_QUEUE)).toEqual([]);
  });
});
