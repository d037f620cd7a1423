/** Local SNS: topics that append every message to .impact/outbox.jsonl and deliver to subscriptions. */
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { SNSClient } from '@aws-sdk/client-sns';
import { Topic, type BatchHooks, type OutgoingMessage } from '../../functions/adapters/sns.ts';

export interface LocalSubscription {
  topic: 'customer-notices' | 'support-briefings';
  /** SNS filter policy on message attributes: exact values, {prefix}, {anything-but}, {exists}, {numeric}. */
  filterPolicy?: Record<string, unknown[]>;
  /** An HTTP(S) endpoint that gets each message POSTed as JSON. */
  endpoint: string;
}

type Condition = string | number | { prefix?: string; 'anything-but'?: unknown; exists?: boolean; numeric?: unknown[] };

const matches = (condition: Condition, value: string | undefined): boolean => {
  if (typeof condition === 'string') return value === condition;
  if (typeof condition === 'number') return value !== undefined && Number(value) === condition;
  if (condition.exists !== undefined) return condition.exists === (value !== undefined);
  if (value === undefined) return false;
  if (condition.prefix !== undefined) return value.startsWith(condition.prefix);
  if (condition['anything-but'] !== undefined) {
    const but = condition['anything-but'];
    return Array.isArray(but) ? !but.includes(value) : value !== but;
  }
  if (condition.numeric) {
    const n = Number(value);
    const ops = condition.numeric;
    for (let i = 0; i < ops.length; i += 2) {
      const [op, bound] = [ops[i], Number(ops[i + 1])];
      const ok = op === '=' ? n === bound : op === '<' ? n < bound : op === '<=' ? n <= bound : op === '>' ? n > bound : op === '>=' ? n >= bound : false;
      if (!ok) return false;
    }
    return true;
  }
  return false;
};

/** SNS filter policy semantics on message attributes: every key must match one of its conditions. */
export const matchesFilterPolicy = (policy: Record<string, unknown[]> | undefined, attributes: Record<string, string>): boolean =>
  !policy || Object.entries(policy).every(([key, conditions]) => conditions.some((c) => matches(c as Condition, attributes[key])));

export class LocalTopic extends Topic {
  private readonly name: LocalSubscription['topic'];
  private readonly outboxFile: string;
  private readonly subscriptions: LocalSubscription[];

  constructor(name: LocalSubscription['topic'], outboxFile: string, subscriptions: LocalSubscription[]) {
    super(new SNSClient({ region: 'local' }), `arn:aws:sns:local:000000000000:${name}`);
    this.name = name;
    this.outboxFile = outboxFile;
    this.subscriptions = subscriptions.filter((s) => s.topic === name);
  }

  private deliver(body: unknown, attributes: Record<string, string>): void {
    const line = { topic: this.name, attributes, message: body, publishedAt: new Date().toISOString() };
    appendFileSync(this.outboxFile, `${JSON.stringify(line)}\n`);
    for (const sub of this.subscriptions) {
      if (!matchesFilterPolicy(sub.filterPolicy, attributes)) continue;
      void fetch(sub.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(line) }).catch(() => undefined);
    }
  }

  override async publish(messages: readonly OutgoingMessage[], hooks: BatchHooks = {}) {
    for (let i = 0; i < messages.length; i += 10) {
      hooks.before?.();
      const batch = messages.slice(i, i + 10);
      for (const m of batch) this.deliver(m.body, m.attributes);
      await hooks.after?.(batch);
    }
    return [];
  }

  override async publishOne(body: unknown, attributes: Record<string, string>): Promise<void> {
    this.deliver(body, attributes);
  }
}

/** The last `count` lines of a JSONL file, read backwards from its end: the cost follows `count`, not the file. */
export const lastLines = (file: string, count: number): string[] => {
  if (!existsSync(file)) return [];
  const fd = openSync(file, 'r');
  try {
    const blocks: Buffer[] = [];
    let position = fstatSync(fd).size;
    let newlines = 0;
    while (position > 0 && newlines <= count) {
      const size = Math.min(64 * 1024, position);
      position -= size;
      const block = Buffer.alloc(size);
      readSync(fd, block, 0, size, position);
      blocks.unshift(block);
      for (const byte of block) if (byte === 0x0a) newlines++;
    }
    const lines = Buffer.concat(blocks).toString('utf8').split('\n');
    if (position > 0) lines.shift(); // begins inside a line
    return lines.filter(Boolean).slice(-count);
  } finally {
    closeSync(fd);
  }
};

/**
 * The console's view of local SNS, newest first: what went out, never to whom it was addressed (the
 * message's `to` and `text` are left out). A line being written as it is read is skipped.
 */
export const outboxView = (file: string, limit: number): Record<string, unknown>[] =>
  lastLines(file, limit)
    .reverse()
    .flatMap((line) => {
      try {
        const { topic, attributes, message, publishedAt } = JSON.parse(line);
        const { to: _to, text: _text, ...rest } = message as Record<string, unknown>;
        return [{ topic, ...attributes, ...rest, publishedAt }];
      } catch {
        return [];
      }
    });
