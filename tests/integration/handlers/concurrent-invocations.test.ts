/**
 * One handler, two invocations at once (the local runtime runs four notify and two plan workers in one
 * process): each invocation's partial-batch response names exactly its own failed records. A record
 * whose failure is lost is deleted from the queue as done; for notify that left a job's claims held and
 * its customers never told (chaos seed 6484).
 */
import type { EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { airlineSample } from '../../support/airline.ts';
import { changeScheduled } from '../../support/events.ts';
import { PLAN_QUEUE, context, noticesOf, pipeline } from '../../support/pipeline.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
const scheduled = changeScheduled({ window: { start: '2026-12-05T02:00:00Z', end: '2026-12-05T04:00:00Z' } }) as EventBridgeEvent<string, unknown>;

/** A record that fails at once: its body is not a job. */
const broken = (like: SQSRecord, messageId: string): SQSRecord => ({ ...like, messageId, body: '{"type":"nothing-we-know"}' });

/** A gate a test opens: `reached` resolves when the gated call arrives, `open()` lets it go on. */
const gate = () => {
  let open!: () => void;
  let arrived!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (arrived = r));
  return { open, reached, wait: () => (arrived(), opened) };
};

let restore: (() => void) | undefined;
afterEach(() => restore?.());

const failuresOf = async (result: Promise<{ batchItemFailures: { itemIdentifier: string }[] }>) =>
  (await result).batchItemFailures.map((f) => f.itemIdentifier).sort();

/** The change assessed: its planning jobs queued. */
const assessed = async () => {
  const p = await pipeline(() => NOW);
  restore = p.aws.restore;
  await p.deps.graph.import(await airlineSample(120));
  await p.ingest(scheduled, context);
  await p.assess(await p.streamBatch(), context);
  return p;
};

/** `call` with its first call held until `held.open()`; later calls go straight through. */
const holdingFirst = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => {
  const held = gate();
  let first = true;
  const wrapped = async (...args: A): Promise<R> => {
    if (first) {
      first = false;
      await held.wait();
    }
    return call(...args);
  };
  return { held, wrapped };
};

describe('two invocations of one handler at once', () => {
  it('notify: each reports its own failed records, while the other is still working', async () => {
    const p = await assessed();
    for (const shards of p.jobBatches(PLAN_QUEUE)) await p.plan(shards, context);
    const [job] = p.jobBatches()[0].Records;
    // (A batch with no good record is thrown back whole, so each has one.)
    // The first invocation's good job stops at its contacts lookup until the second has run.
    const { held, wrapped } = holdingFirst(p.deps.contacts.contactsOf.bind(p.deps.contacts));
    p.deps.contacts.contactsOf = wrapped;
    const a = p.notify({ Records: [broken(job, 'a-broken'), job] } as SQSEvent, context);
    await held.reached;
    const b = failuresOf(p.notify({ Records: [broken(job, 'b-broken'), job] } as SQSEvent, context));
    expect(await b).toEqual(['b-broken']);
    held.open();
    expect(await failuresOf(a)).toEqual(['a-broken']);
    expect(noticesOf(p.aws).length).toBeGreaterThan(0);
  });

  it('plan: each reports its own failed records, while the other is still working', async () => {
    const p = await assessed();
    const [shard] = p.jobBatches(PLAN_QUEUE)[0].Records;
    const { held, wrapped } = holdingFirst(p.deps.projections.getRun.bind(p.deps.projections));
    p.deps.projections.getRun = wrapped;
    // In order (FIFO): the broken job fails first; the good one is of another group, so it still runs.
    const elsewhere = { ...shard, attributes: { ...shard.attributes, MessageGroupId: 'other' } };
    const a = p.plan({ Records: [broken(shard, 'a-broken'), elsewhere] } as SQSEvent, context);
    await held.reached;
    const b = failuresOf(p.plan({ Records: [broken(shard, 'b-broken'), elsewhere] } as SQSEvent, context));
    expect(await b).toEqual(['b-broken']);
    held.open();
    expect(await failuresOf(a)).toEqual(['a-broken']);
    expect(p.jobBatches().length).toBeGreaterThan(0);
  });
});
