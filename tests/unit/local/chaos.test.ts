import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { Chaos, ChaosConfigError, parseChaos } from '../../../lib/local/chaos.ts';
import { DeadLetterFile } from '../../../lib/local/dead-letters.ts';
import { LocalJobQueue } from '../../../lib/local/job-queue.ts';
import { LOCAL_CLIENT } from '../../../lib/local/local-aws.ts';
import { LocalTopic, Outbox } from '../../../lib/local/outbox.ts';
import { openLocalStore } from '../../../lib/local/store.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'impact-chaos-'));
const faults = (file: string) =>
  (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []).reduce<Record<string, number>>((n, l) => {
    n[l] = (n[l] ?? 0) + 1;
    return n;
  }, {});

describe('IMPACT_CHAOS', () => {
  it('reads seed, throttle and fail; anything else is refused naming the part and the form', () => {
    expect(parseChaos(undefined)).toBeUndefined();
    expect(parseChaos('seed:7,throttle:0.05,fail:0.03')).toEqual({ seed: 7, throttle: 0.05, fail: 0.03 });
    expect(parseChaos('throttle:0.1')).toEqual({ seed: 1, throttle: 0.1, fail: 0 });
    expect(() => parseChaos('throttle:2')).toThrow(ChaosConfigError);
    expect(() => parseChaos('throttle:2')).toThrow(
      'IMPACT_CHAOS: throttle "2" is not a probability from 0 to 1; give it as seed:<integer>,throttle:<0..1>,fail:<0..1>',
    );
    expect(() => parseChaos('kill:1')).toThrow('"kill:1" is not one of seed:, throttle:, fail:');
    expect(() => parseChaos('seed:1.5')).toThrow('seed "1.5" is not an integer');
  });

  it('local SNS through the SDK: throttled requests and failed entries are retried by the SDK and the adapter, each notice written once', async () => {
    const dir = scratch();
    const log = join(dir, 'chaos-faults.log');
    const chaos = new Chaos({ seed: 3, throttle: 0.3, fail: 0.3 }, log);
    const outbox = new Outbox(join(dir, 'outbox.jsonl'), openLocalStore(':memory:'));
    const topic = new LocalTopic('customer-notices', outbox, [], chaos.instrument(new SNSClient(LOCAL_CLIENT), 'sns'));
    const messages = Array.from({ length: 60 }, (_, i) => ({
      id: `C-${i}`,
      body: { noticeId: `change#CHG-1/C-${i}/change-notice/1`, customerId: `C-${i}` },
      attributes: { kind: 'change-notice', channel: 'email' },
    }));
    const failures = await topic.publish(messages);
    const written = readFileSync(outbox.file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).message.customerId);
    // What failed four times in a row comes back as a failure (notify queues it again); the rest is written once.
    expect(new Set(written).size).toBe(written.length);
    expect([...written, ...failures.map((f) => f.message.id)].sort()).toEqual(messages.map((m) => m.id).sort());
    expect(faults(log)).toMatchObject({ 'sns throttle': expect.any(Number), 'sns fail': expect.any(Number) });
  });

  it('local SQS through the SDK: every message queued once despite throttling and failed entries', async () => {
    const dir = scratch();
    const log = join(dir, 'chaos-faults.log');
    const chaos = new Chaos({ seed: 5, throttle: 0.2, fail: 0.2 }, log);
    const queue = new LocalJobQueue(openLocalStore(':memory:'), new DeadLetterFile(join(dir, 'dead.jsonl')), {
      client: chaos.instrument(new SQSClient(LOCAL_CLIENT), 'sqs'),
    });
    await queue.send(Array.from({ length: 100 }, (_, n) => ({ body: { n } })));
    expect(queue.depth).toBe(100);
    expect(
      queue
        .receive(200)
        .map((r) => JSON.parse(r.body).n)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(faults(log)['sqs fail']).toBeGreaterThan(0);
    expect(faults(log)['sqs throttle']).toBeGreaterThan(0);
  });
});
