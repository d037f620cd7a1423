import { afterEach, describe, expect, it } from 'vitest';
import type { EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { CLAIM_LEASE_MS } from '../../../functions/adapters/ledger.ts';
import { parseEvent } from '../../../functions/domain/events/index.ts';
import { assess } from '../../../functions/domain/impact/assess.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { airlineSample } from '../../support/airline.ts';
import { PLAN_QUEUE, context, noticesOf, pipeline } from '../../support/pipeline.ts';

const T0 = Date.parse('2026-11-28T14:00:00Z');
const scheduled = {
  version: '0',
  id: 'e1',
  'detail-type': 'Change Scheduled',
  source: 'acme',
  account: '1',
  time: new Date(T0).toISOString(),
  region: 'eu-west-1',
  resources: [],
  detail: {
    changeId: 'CHG-L',
    title: 'Payments maintenance',
    occurredAt: '2026-11-28T10:00:00Z',
    window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' },
    impacts: [{ node: 'payments-db' }],
  },
} as EventBridgeEvent<string, unknown>;

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe('a notify worker that dies after claiming', () => {
  it('its lease runs out; a redrive with a new message id sends exactly those notices, once', async () => {
    let now = T0;
    const p = await pipeline(() => now);
    restore = p.aws.restore;
    const graph = await airlineSample(150);
    await p.deps.graph.import(graph);
    await p.ingest(scheduled, context);
    await p.assess(await p.streamBatch(), context);
    // assess hands the subject to the planner, one job per customer shard; plan queues the notice jobs.
    for (const shards of p.jobBatches(PLAN_QUEUE)) await p.plan(shards, context);
    const jobs = p.jobBatches().flatMap((b) => b.Records);
    const dying = jobs.find((r) => JSON.parse(r.body).type === 'notices')!;
    const rest = jobs.filter((r) => r !== dying);
    for (const record of rest) expect((await p.notify({ Records: [record] }, context)).batchItemFailures).toEqual([]);
    const others = noticesOf(p.aws).length;

    // The worker claims its notices, then dies at its first PublishBatch: nothing of its job went out.
    p.aws.crashOnPublishBatch(1);
    // (a batch of one that fails is a FullBatchFailureError: the Lambda fails, SQS keeps the message)
    await expect(p.notify({ Records: [dying] }, context)).rejects.toThrow(/All records failed/);
    expect(noticesOf(p.aws)).toHaveLength(others);

    // Its message went to the DLQ; a redrive is a new message. Within the lease it must not send.
    const redrive = (messageId: string): SQSEvent => ({ Records: [{ ...dying, messageId }] });
    now = T0 + CLAIM_LEASE_MS - 1_000;
    await p.notify(redrive('redrive-1'), context);
    expect(noticesOf(p.aws)).toHaveLength(others);

    // Past the lease: exactly the dead worker's notices go out, once.
    now = T0 + CLAIM_LEASE_MS + 1_000;
    await p.notify(redrive('redrive-2'), context);
    await p.notify(redrive('redrive-3'), context);
    const notices = noticesOf(p.aws);
    const ids = notices.map((n) => n.customerId);
    expect(new Set(ids).size).toBe(ids.length);
    const expected = assess(graph, foldSubject([parseEvent(scheduled)]))
      .customers.filter((c) => c.notify.length > 0)
      .map((c) => c.id)
      .sort();
    expect([...ids].sort()).toEqual(expected);
    const ofDying = new Set((JSON.parse(dying.body).customers as { id: string }[]).map((c) => c.id));
    expect(
      notices
        .slice(others)
        .map((n) => n.customerId)
        .sort(),
    ).toEqual(expected.filter((id) => ofDying.has(id)));
    expect(await p.deps.ledger.sentAbout('change#CHG-L')).toHaveLength(expected.length);
  });

  it('a worker whose lease is about to run out stops before publishing and leaves the rest to a retry', async () => {
    let now = T0;
    const p = await pipeline(() => now);
    restore = p.aws.restore;
    await p.deps.graph.import(await airlineSample(150));
    await p.ingest(scheduled, context);
    await p.assess(await p.streamBatch(), context);
    // assess hands the subject to the planner, one job per customer shard; plan queues the notice jobs.
    for (const shards of p.jobBatches(PLAN_QUEUE)) await p.plan(shards, context);
    const record = p
      .jobBatches()
      .flatMap((b) => b.Records)
      .find((r) => JSON.parse(r.body).type === 'notices')!;
    // The clock jumps past the lease while the job runs (a stalled worker): it must not publish then.
    let calls = 0;
    p.deps.ledger.claim = (
      (claim) =>
      async (...args: Parameters<typeof claim>) => {
        const result = await claim(...args);
        if (calls++ === 0) now = result.leaseUntil;
        return result;
      }
    )(p.deps.ledger.claim.bind(p.deps.ledger));
    await expect(p.notify({ Records: [record] }, context)).rejects.toThrow(/All records failed/);
    expect(noticesOf(p.aws)).toEqual([]);
    // SQS redelivers it (same message id): its own claims, renewed, are sent once.
    await p.notify({ Records: [record] }, context);
    const ofJob = new Set((JSON.parse(record.body).customers as { id: string }[]).map((c) => c.id));
    const sent = noticesOf(p.aws).map((n) => n.customerId);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.every((id) => ofJob.has(id))).toBe(true);
  });
});
