import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTopic, lastLines, outboxView } from '../../../lib/local/outbox.ts';

const scratch = () => join(mkdtempSync(join(tmpdir(), 'impact-outbox-')), 'outbox.jsonl');

describe('local SNS outbox', () => {
  it('the last lines of a large file, read from its end', () => {
    const file = scratch();
    writeFileSync(file, Array.from({ length: 20_000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 50)}"}`).join('\n') + '\n');
    expect(lastLines(file, 3).map((l) => JSON.parse(l).n)).toEqual([19_997, 19_998, 19_999]);
    expect(lastLines(file, 500)).toHaveLength(500);
    expect(lastLines(file, 500)[0]).toBe(`{"n":19500,"pad":"${'x'.repeat(19_500 % 50)}"}`);
    expect(lastLines(join(file, '..', 'missing.jsonl'), 5)).toEqual([]);
  });

  it('the console view: newest first, without the address or the text, a line still being written skipped', () => {
    const file = scratch();
    const line = (customerId: string) => JSON.stringify({ topic: 'customer-notices', attributes: { kind: 'change-notice' }, message: { customerId, to: `${customerId}@example.com`, text: 'Dear customer', kind: 'change-notice' }, publishedAt: '2030-01-01T00:00:00Z' });
    writeFileSync(file, `${line('C-1')}\n${line('C-2')}\n`);
    appendFileSync(file, '{"topic":"customer-not'); // half a line: the writer is mid-append
    expect(outboxView(file, 10)).toEqual([
      { topic: 'customer-notices', kind: 'change-notice', customerId: 'C-2', publishedAt: '2030-01-01T00:00:00Z' },
      { topic: 'customer-notices', kind: 'change-notice', customerId: 'C-1', publishedAt: '2030-01-01T00:00:00Z' },
    ]);
  });

  it('a subscription that cannot be reached (bad URL, nothing listening) costs nothing: no rejection escapes', async () => {
    const file = scratch();
    const topic = new LocalTopic('customer-notices', file, [
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
