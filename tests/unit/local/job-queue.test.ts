import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DeadLetterFile } from '../../../lib/local/dead-letters.ts';
import { LocalJobQueue } from '../../../lib/local/job-queue.ts';
import { openLocalStore } from '../../../lib/local/store.ts';

/** A queue on a store file of its own, with a clock the test moves. */
const setup = (options: { maxReceiveCount?: number } = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'impact-queue-'));
  const clock = { now: 1_000_000 };
  const letters = new DeadLetterFile(join(dir, 'dead-letters.jsonl'));
  const open = () => new LocalJobQueue(openLocalStore(join(dir, 'runtime.sqlite')), letters, { visibilityMs: 2_000, now: () => clock.now, ...options });
  const deadLetters = () =>
    existsSync(letters.file)
      ? readFileSync(letters.file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [];
  return { open, clock, deadLetters };
};
const bodies = (records: SQSEvent['Records']) => records.map((r) => JSON.parse(r.body));

describe('local job queue (SQS semantics on SQLite)', () => {
  it('hands out each message once, hides it for the visibility timeout, and brings it back if not deleted', async () => {
    // Prepare
    const { open, clock } = setup();
    const queue = open();
    await queue.send([{ body: { n: 1 } }, { body: { n: 2 } }, { body: { n: 3 } }]);
    // Act
    const first = queue.receive(2);
    const second = queue.receive(10);
    const hidden = queue.receive(10);
    queue.delete([first[0].receiptHandle]);
    clock.now += 2_000;
    const again = queue.receive(10);
    // Assess
    expect(bodies(first)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(bodies(second)).toEqual([{ n: 3 }]);
    expect(hidden).toEqual([]);
    expect(bodies(again)).toEqual([{ n: 2 }, { n: 3 }]);
    expect(again.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
    expect(queue.depth).toBe(2);
  });

  it('honours a delay (at most 15 minutes, as SQS)', async () => {
    const { open, clock } = setup();
    const queue = open();
    await queue.send([
      { body: 'later', delaySeconds: 60 },
      { body: 'much later', delaySeconds: 3_600 },
    ]);
    expect(queue.receive(10)).toEqual([]);
    clock.now += 59_999;
    expect(queue.receive(10)).toEqual([]);
    clock.now += 1;
    const later = queue.receive(10);
    expect(bodies(later)).toEqual(['later']);
    queue.delete(later.map((r) => r.receiptHandle));
    clock.now += 900_000 - 60_000 - 1;
    expect(queue.receive(10)).toEqual([]);
    clock.now += 1;
    expect(bodies(queue.receive(10))).toEqual(['much later']);
  });

  it('keeps messages across a restart (a new queue on the same file), with their receive counts', async () => {
    const { open, clock } = setup();
    const before = open();
    await before.send([{ body: { n: 1 } }, { body: { n: 2 } }]);
    before.receive(1);
    const after = open();
    expect(after.depth).toBe(2);
    clock.now += 2_000;
    const received = after.receive(10).map((r) => ({ ...JSON.parse(r.body), receives: r.attributes.ApproximateReceiveCount }));
    expect(received.sort((a, b) => a.n - b.n)).toEqual([
      { n: 1, receives: '2' },
      { n: 2, receives: '1' },
    ]);
  });

  it('poll: the consumer gets an SQSEvent; done messages are deleted, failed ones retried with a doubling wait and dead-lettered after maxReceiveCount with the reason', async () => {
    const { open, clock, deadLetters } = setup({ maxReceiveCount: 3 });
    const queue = open();
    await queue.send([{ body: { job: 'good' } }, { body: { job: 'bad' } }]);
    const seen: string[][] = [];
    const consumer = async (event: SQSEvent) => {
      seen.push(event.Records.map((r) => JSON.parse(r.body).job));
      expect(event.Records.every((r) => r.eventSource === 'aws:sqs')).toBe(true);
      return { batchItemFailures: event.Records.filter((r) => JSON.parse(r.body).job === 'bad').map((r) => ({ itemIdentifier: r.messageId })) };
    };
    // Back after 2 s, then after 4 s (the wait doubles at each receive).
    const handedOut = [];
    for (const wait of [2_000, 2_000, 2_000, 0]) {
      handedOut.push(await queue.poll(consumer, 10));
      clock.now += wait;
    }
    expect(handedOut).toEqual([2, 1, 0, 1]);
    expect(seen).toEqual([['good', 'bad'], ['bad'], ['bad']]);
    expect(queue.depth).toBe(0);
    expect(deadLetters()).toEqual([
      expect.objectContaining({ source: 'jobs', reason: expect.stringContaining('failed 3 times'), body: { job: 'bad' }, receiveCount: 3 }),
    ]);
  });

  it('a consumer that throws fails the whole batch, and the dead letter says what it threw', async () => {
    const { open, clock, deadLetters } = setup({ maxReceiveCount: 1 });
    const queue = open();
    await queue.send([{ body: 1 }]);
    expect(await queue.poll(async () => Promise.reject(new Error('SNS is down')), 10)).toBe(1);
    clock.now += 2_000;
    expect(queue.depth).toBe(0);
    expect(deadLetters()[0].reason).toContain('SNS is down');
  });

  it('a message in flight when the runtime died, its receives used up, goes to the dead letters at the next receive', async () => {
    const { open, clock, deadLetters } = setup({ maxReceiveCount: 2 });
    const queue = open();
    await queue.send([{ body: 'poison' }]);
    queue.receive(1);
    clock.now += 2_000;
    queue.receive(1); // second receive, then the process is killed
    clock.now += 2_000;
    const restarted = open();
    expect(restarted.receive(10)).toEqual([]);
    expect(restarted.depth).toBe(0);
    expect(deadLetters()).toEqual([expect.objectContaining({ reason: expect.stringContaining('received 2 times without finishing'), body: 'poison' })]);
  });

  it('a scratch store (--in-memory) starts empty on a file that holds an earlier run, and a durable store keeps it', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'impact-scratch-'));
    const letters = new DeadLetterFile(join(dir, 'dead-letters.jsonl'));
    for (const file of ['scratch.sqlite', 'runtime.sqlite']) {
      const earlier = openLocalStore(join(dir, file));
      await new LocalJobQueue(earlier, letters).send([{ body: { n: 1 } }]);
      earlier.close();
    }
    // Act
    const scratch = new LocalJobQueue(openLocalStore(join(dir, 'scratch.sqlite'), { scratch: true }), letters);
    const durable = new LocalJobQueue(openLocalStore(join(dir, 'runtime.sqlite')), letters);
    // Assess
    expect(scratch.depth).toBe(0);
    expect(durable.depth).toBe(1);
  });
});
