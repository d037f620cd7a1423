import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../../functions/adapters/sns.ts';
import { LocalTopic, Outbox, lastLines, outboxView, type OutboxLine } from '../../../lib/local/outbox.ts';
import { openLocalStore } from '../../../lib/local/store.ts';

const scratch = () => join(mkdtempSync(join(tmpdir(), 'impact-outbox-')), 'outbox.jsonl');

describe('local SNS outbox', () => {
  it('the last lines of a large file, read from its end', () => {
    const file = scratch();
    writeFileSync(file, `${Array.from({ length: 20_000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 50)}"}`).join('\n')}\n`);
    expect(lastLines(file, 3).map((l) => JSON.parse(l).n)).toEqual([19_997, 19_998, 19_999]);
    expect(lastLines(file, 500)).toHaveLength(500);
    expect(lastLines(file, 500)[0]).toBe(`{"n":19500,"pad":"${'x'.repeat(19_500 % 50)}"}`);
    expect(lastLines(join(file, '..', 'missing.jsonl'), 5)).toEqual([]);
  });

  it('the console view: newest first, without the address or the text, a line still being written skipped', () => {
    const file = scratch();
    const line = (customerId: string) =>
      JSON.stringify({
        topic: 'customer-notices',
        attributes: { kind: 'change-notice' },
        message: { customerId, to: `${customerId}@example.com`, text: 'Dear customer', kind: 'change-notice' },
        publishedAt: '2030-01-01T00:00:00Z',
      });
    writeFileSync(file, `${line('C-1')}\n${line('C-2')}\n`);
    appendFileSync(file, '{"topic":"customer-not'); // half a line: the writer is mid-append
    expect(outboxView(file, 10)).toEqual([
      { topic: 'customer-notices', kind: 'change-notice', customerId: 'C-2', publishedAt: '2030-01-01T00:00:00Z' },
      { topic: 'customer-notices', kind: 'change-notice', customerId: 'C-1', publishedAt: '2030-01-01T00:00:00Z' },
    ]);
  });

  it('a subscription that cannot be reached (bad URL, nothing listening) costs nothing: no rejection escapes', async () => {
    const file = scratch();
    const topic = new LocalTopic('customer-notices', new Outbox(file, openLocalStore(':memory:')), [
      { topic: 'customer-notices', endpoint: 'not a url' },
      { topic: 'customer-notices', endpoint: 'http://127.0.0.1:1/hook' },
    ]);
    const escaped: unknown[] = [];
    const onRejection = (reason: unknown) => escaped.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      await topic.publishOne({ customerId: 'C-1' }, { kind: 'change-notice' });
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(escaped).toEqual([]);
    expect(outboxView(file, 5)).toHaveLength(1);
  });
});

const notice = (customerId: string, version = 1, channel = 'email'): OutgoingMessage => ({
  id: customerId,
  body: {
    noticeId: `change#CHG-1/${customerId}/change-notice/${version}`,
    kind: 'change-notice',
    subject: 'change#CHG-1',
    customerId,
    channel,
    to: `${customerId}@example.com`,
    text: 'Dear customer',
  },
  attributes: { kind: 'change-notice', channel, effect: 'outage' },
});
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).message.customerId as string);

describe('local SNS: delivery and marking are one durable step (a kill -9 at any moment sends nothing twice)', () => {
  const runtime = () => {
    const dir = mkdtempSync(join(tmpdir(), 'impact-outbox-'));
    const file = join(dir, 'outbox.jsonl');
    const store = openLocalStore(join(dir, 'runtime.sqlite'));
    return { file, dir, store, outbox: new Outbox(file, store) };
  };

  it('a notice published again (its job came back before it was marked sent) is not written twice, and is handed back as published', async () => {
    const { file, outbox } = runtime();
    const topic = new LocalTopic('customer-notices', outbox, []);
    await topic
      .publish([notice('C-1'), notice('C-2')], { after: async () => Promise.reject(new Error('the runtime died before the ledger mark')) })
      .catch(() => undefined);
    const handed: string[] = [];
    await topic.publish([notice('C-2'), notice('C-3'), notice('C-1', 2)], { after: async (published) => void handed.push(...published.map((m) => m.id)) });
    expect(lines(file)).toEqual(['C-1', 'C-2', 'C-3', 'C-1']);
    expect(handed).toEqual(['C-2', 'C-3', 'C-1']);
    // What the ledger may not hold yet: delivered, never marked.
    expect(outbox.unmarked().map((n) => n.noticeId)).toEqual(['change#CHG-1/C-1/change-notice/1']);
  });

  it('killed between the outbox write and its record: the restart takes the line over, so it is not sent again', async () => {
    const { file, dir, store, outbox } = runtime();
    await new LocalTopic('customer-notices', outbox, []).publish([notice('C-1')], { after: async () => undefined });
    // The line of C-2 reached the file, the runtime died before recording it; store and file stay as they were.
    appendFileSync(
      file,
      `${JSON.stringify({ topic: 'customer-notices', attributes: notice('C-2').attributes, message: notice('C-2').body, publishedAt: '2030-01-01T00:00:00.000Z' })}\n`,
    );
    store.close();
    const restarted = new Outbox(file, openLocalStore(join(dir, 'runtime.sqlite')));
    expect(restarted.recover()).toEqual({ recovered: 1, cut: 0 });
    // Delivered, not yet in the ledger: what recovery.ts marks sent at the start.
    expect(restarted.unmarked().map((n) => [n.noticeId, n.channel, n.effect, n.publishedAt])).toEqual([
      ['change#CHG-1/C-2/change-notice/1', 'email', 'outage', Date.parse('2030-01-01T00:00:00Z')],
    ]);
    await new LocalTopic('customer-notices', restarted, []).publish([notice('C-2'), notice('C-3')], { after: async () => undefined });
    expect(lines(file)).toEqual(['C-1', 'C-2', 'C-3']);
    expect(restarted.unmarked()).toEqual([]);
  });

  it('killed in the middle of writing a line: the torn line is cut and that notice is sent once', async () => {
    const { file, dir, store, outbox } = runtime();
    await new LocalTopic('customer-notices', outbox, []).publish([notice('C-1')], { after: async () => undefined });
    // The write of C-2's line stopped a few bytes short of its end; nothing was recorded of it.
    const line = `${JSON.stringify({ topic: 'customer-notices', attributes: notice('C-2').attributes, message: notice('C-2').body, publishedAt: '2030-01-01T00:00:00.000Z' })}\n`;
    appendFileSync(file, line.slice(0, -20));
    store.close();
    const restarted = new Outbox(file, openLocalStore(join(dir, 'runtime.sqlite')));
    expect(restarted.recover()).toEqual({ recovered: 0, cut: 1 });
    await new LocalTopic('customer-notices', restarted, []).publish([notice('C-1'), notice('C-2')], { after: async () => undefined });
    expect(lines(file)).toEqual(['C-1', 'C-2']);
  });

  it('a fallback (the same notice once more on the next channel) is delivered; the same notice on the same channel is not', async () => {
    const { file, outbox } = runtime();
    const topic = new LocalTopic('customer-notices', outbox, []);
    await topic.publish([notice('C-1')], { after: async () => undefined });
    await topic.publish([notice('C-1', 1, 'sms'), notice('C-1')], { after: async () => undefined });
    expect(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).message.channel),
    ).toEqual(['email', 'sms']);
  });

  it("a durable subscriber (the channels' delivery queue) gets each delivered line once, a line taken over after a crash included", async () => {
    const { file, dir, store } = runtime();
    const handed: string[] = [];
    const subscriber = (ls: readonly OutboxLine[]) => void handed.push(...ls.map((l) => (l.message as { customerId: string }).customerId));
    const topic = new LocalTopic('customer-notices', new Outbox(file, store, subscriber), []);
    await topic.publish([notice('C-1'), notice('C-2')], { after: async () => Promise.reject(new Error('died before the ledger mark')) }).catch(() => undefined);
    await topic.publish([notice('C-2'), notice('C-3')], { after: async () => undefined });
    expect(handed).toEqual(['C-1', 'C-2', 'C-3']);
    // C-4's line reached the file, the runtime died before recording it (and so before handing it on).
    appendFileSync(
      file,
      `${JSON.stringify({ topic: 'customer-notices', attributes: notice('C-4').attributes, message: notice('C-4').body, publishedAt: '2030-01-01T00:00:00.000Z' })}\n`,
    );
    store.close();
    const restarted = new Outbox(file, openLocalStore(join(dir, 'runtime.sqlite')), subscriber);
    expect(restarted.recover()).toEqual({ recovered: 1, cut: 0 });
    await new LocalTopic('customer-notices', restarted, []).publish([notice('C-4'), notice('C-5')], { after: async () => undefined });
    expect(handed).toEqual(['C-1', 'C-2', 'C-3', 'C-4', 'C-5']);
  });

  it('a new store beside an old outbox file (--in-memory, or a data dir from before) takes nothing over from it', async () => {
    const { file, outbox } = runtime();
    await new LocalTopic('customer-notices', outbox, []).publish([notice('C-1')], { after: async () => undefined });
    const fresh = new Outbox(file, openLocalStore(':memory:'));
    expect(fresh.recover()).toEqual({ recovered: 0, cut: 0 });
    await new LocalTopic('customer-notices', fresh, []).publish([notice('C-1')], { after: async () => undefined });
    expect(lines(file)).toEqual(['C-1', 'C-1']);
  });
});
