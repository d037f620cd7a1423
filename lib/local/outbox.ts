/**
 * Local SNS: topics that append every message to .impact/outbox.jsonl and deliver to subscriptions.
 *
 * Where AWS has SNS (no dedupe: adapters/ledger.ts bounds the doubles there), the local runtime makes
 * delivery and its record one durable step, so a kill -9 at any moment sends no customer notice twice:
 * - the outbox file is the log of what was delivered; runtime.sqlite keeps, per noticeId and channel, that it was
 *   delivered, and how far into the file that record goes (`outbox_position`);
 * - a notice already delivered is not written again when it is published again (its job came back
 *   before the ledger marked it sent): it is handed back as published, so the ledger mark follows;
 * - at start, lines past the recorded position (killed between the write and its record) are taken
 *   over, and a torn last line (killed mid-write, never delivered) is cut off and so sent again once;
 * - a delivered notice stays `unmarked` until the ledger mark after it succeeded; the runtime marks
 *   what is left at its next start (recovery.ts), so the ledger (and the API's counts) match the file.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readSync, statSync, truncateSync } from 'node:fs';
import { SNSClient } from '@aws-sdk/client-sns';
import { Topic, type BatchHooks, type OutgoingMessage } from '../../functions/adapters/sns.ts';
import { LOCAL_CLIENT, serveLocally } from './local-aws.ts';
import { atomically, type LocalStore } from './store.ts';

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

type TopicName = LocalSubscription['topic'];

/** One outbox line: `{ topic, attributes, message, publishedAt }` (DESIGN section 8). */
export interface OutboxLine {
  topic: TopicName;
  attributes: Record<string, string>;
  message: unknown;
  publishedAt: string;
}

/** A delivered notice as the ledger needs it to mark it sent. */
export interface DeliveredNotice {
  noticeId: string;
  channel: string;
  effect?: string;
  publishedAt: number;
}

const noticeIdOf = (message: unknown): string | undefined => {
  const id = (message as { noticeId?: unknown } | null)?.noticeId;
  return typeof id === 'string' ? id : undefined;
};

/**
 * What is delivered once: a notice on a channel (a fallback sends the same notice once more on the next
 * channel, deliver.ts). `<noticeId>@<channel>`: ids never hold `@`.
 */
const deliveryKeyOf = (message: unknown): string | undefined => {
  const id = noticeIdOf(message);
  const channel = (message as { channel?: unknown } | null)?.channel;
  return id === undefined ? undefined : typeof channel === 'string' ? `${id}@${channel}` : id;
};
const noticeIdOfKey = (key: string): string => key.split('@')[0];

/**
 * A subscriber that must get every delivered line exactly once (the channels' delivery queue, which
 * SQS's subscription to SNS is in AWS): called in the transaction that records the lines, so a line is
 * recorded and handed on together or neither, whether written now or taken over after a crash.
 */
export type DurableSubscriber = (lines: readonly OutboxLine[]) => void;

/** The outbox file and, in the runtime's store, what of it is recorded (see the header). */
export class Outbox {
  readonly file: string;
  private readonly db: LocalStore;
  private readonly statements;
  private readonly subscriber?: DurableSubscriber;

  constructor(file: string, db: LocalStore, subscriber?: DurableSubscriber) {
    this.file = file;
    this.db = db;
    this.subscriber = subscriber;
    this.statements = {
      has: db.prepare('SELECT 1 FROM outbox_notices WHERE notice_id = ?'),
      insert: db.prepare('INSERT OR IGNORE INTO outbox_notices (notice_id, channel, effect, published_at) VALUES (?, ?, ?, ?)'),
      mark: db.prepare('UPDATE outbox_notices SET marked = 1 WHERE notice_id = ?'),
      unmarked: db.prepare('SELECT notice_id, channel, effect, published_at FROM outbox_notices WHERE marked = 0 ORDER BY published_at, notice_id'),
      markedSince: db.prepare(
        'SELECT notice_id, channel, effect, published_at FROM outbox_notices WHERE marked = 1 AND published_at >= ? ORDER BY published_at, notice_id',
      ),
      position: db.prepare('SELECT bytes FROM outbox_position WHERE file = ?'),
      setPosition: db.prepare('INSERT INTO outbox_position (file, bytes) VALUES (?, ?) ON CONFLICT (file) DO UPDATE SET bytes = excluded.bytes'),
    };
  }

  private size(): number {
    return existsSync(this.file) ? statSync(this.file).size : 0;
  }

  private record(lines: readonly OutboxLine[], size: number): void {
    atomically(this.db, () => {
      for (const line of lines) {
        const id = deliveryKeyOf(line.message);
        if (id) this.statements.insert.run(id, line.attributes.channel ?? '', line.attributes.effect ?? null, Date.parse(line.publishedAt));
      }
      this.statements.setPosition.run(this.file, size);
      if (lines.length > 0) this.subscriber?.(lines);
    });
  }

  /**
   * Brings the record up to the file after a crash: lines past the recorded position are recorded, a
   * torn last line is cut off. A store that never recorded this file starts at its end.
   */
  recover(): { recovered: number; cut: number } {
    const size = this.size();
    const row = this.statements.position.get(this.file) as { bytes: number } | undefined;
    if (row === undefined || row.bytes > size) {
      // A new store beside an old file, or a file emptied by hand: nothing in it is ours to take over.
      this.statements.setPosition.run(this.file, size);
      return { recovered: 0, cut: 0 };
    }
    if (row.bytes === size) return { recovered: 0, cut: 0 };
    const fd = openSync(this.file, 'r');
    const tail = Buffer.alloc(size - row.bytes);
    try {
      readSync(fd, tail, 0, tail.length, row.bytes);
    } finally {
      closeSync(fd);
    }
    const complete = tail.lastIndexOf(0x0a) + 1;
    const cut = complete < tail.length ? 1 : 0;
    if (cut) truncateSync(this.file, row.bytes + complete);
    const lines = tail
      .subarray(0, complete)
      .toString('utf8')
      .split('\n')
      .flatMap((text) => {
        try {
          return text ? [JSON.parse(text) as OutboxLine] : [];
        } catch {
          return []; // not ours to judge: the console view skips it too
        }
      });
    this.record(lines, row.bytes + complete);
    return { recovered: lines.filter((l) => deliveryKeyOf(l.message)).length, cut };
  }

  /** Appends the messages whose notice is not delivered yet (all others, briefings, always); returns what it wrote. */
  write(topic: TopicName, messages: readonly { body: unknown; attributes: Record<string, string> }[]): OutboxLine[] {
    const publishedAt = new Date().toISOString();
    const ids = new Set<string>();
    const fresh = messages.flatMap((m) => {
      const id = deliveryKeyOf(m.body);
      if (id !== undefined && (ids.has(id) || this.statements.has.get(id))) return [];
      if (id !== undefined) ids.add(id);
      return [{ topic, attributes: m.attributes, message: m.body, publishedAt }];
    });
    if (fresh.length === 0) return [];
    appendFileSync(this.file, fresh.map((l) => `${JSON.stringify(l)}\n`).join(''));
    this.record(fresh, this.size());
    return fresh;
  }

  /** The ledger holds these notices as sent now. */
  marked(messages: readonly { body: unknown }[]): void {
    atomically(this.db, () => {
      for (const m of messages) {
        const id = deliveryKeyOf(m.body);
        if (id) this.statements.mark.run(id);
      }
    });
  }

  /** Delivered notices the ledger may not hold as sent yet (the runtime stopped between the two). */
  unmarked(): DeliveredNotice[] {
    return deliveredOf(this.statements.unmarked.all());
  }

  /** Delivered notices recorded as marked in the ledger, delivered at `since` (epoch ms) or later. */
  markedSince(since: number): DeliveredNotice[] {
    return deliveredOf(this.statements.markedSince.all(since));
  }
}

const deliveredOf = (rows: unknown[]): DeliveredNotice[] =>
  (rows as { notice_id: string; channel: string; effect: string | null; published_at: number }[]).map((r) => ({
    noticeId: noticeIdOfKey(r.notice_id),
    channel: r.channel,
    ...(r.effect ? { effect: r.effect } : {}),
    publishedAt: r.published_at,
  }));

/** SNS message attributes as the PublishBatch and Publish requests carry them. */
type RequestAttributes = Record<string, { DataType?: string; StringValue?: string }> | undefined;
const attributesOf = (attributes: RequestAttributes): Record<string, string> =>
  Object.fromEntries(Object.entries(attributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));

/**
 * A local SNS topic: the SNS adapter (functions/adapters/sns.ts, PublishBatch with its per-entry
 * retries) over a real SNSClient whose requests are answered here (local-aws.ts): each message is
 * written to the outbox (once per noticeId) and POSTed to the subscriptions whose filter policy it
 * matches. `client` is for instrumenting (chaos.ts); the topic makes it answer locally.
 */
export class LocalTopic extends Topic {
  private readonly outbox: Outbox;

  constructor(name: TopicName, outbox: Outbox, subscriptions: LocalSubscription[], client = new SNSClient(LOCAL_CLIENT)) {
    const mine = subscriptions.filter((s) => s.topic === name);
    const deliver = (messages: { body: unknown; attributes: Record<string, string> }[]) => {
      for (const line of outbox.write(name, messages)) {
        for (const sub of mine) {
          if (!matchesFilterPolicy(sub.filterPolicy, line.attributes)) continue;
          void fetch(sub.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(line) }).catch(() => undefined);
        }
      }
    };
    super(
      serveLocally(client, 'SNS', {
        PublishBatchCommand: (input) => {
          const entries = input.PublishBatchRequestEntries as { Id: string; Message: string; MessageAttributes?: RequestAttributes }[];
          deliver(entries.map((e) => ({ body: JSON.parse(e.Message), attributes: attributesOf(e.MessageAttributes) })));
          return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: randomUUID() })), Failed: [] };
        },
        PublishCommand: (input) => {
          deliver([{ body: JSON.parse(String(input.Message)), attributes: attributesOf(input.MessageAttributes as RequestAttributes) }]);
          return { MessageId: randomUUID() };
        },
      }),
      `arn:aws:sns:local:000000000000:${name}`,
    );
    this.outbox = outbox;
  }

  /** As SNS publishes; what the ledger marked sent after a batch is recorded as marked (see Outbox). */
  override async publish(messages: readonly OutgoingMessage[], hooks: BatchHooks = {}) {
    return super.publish(messages, {
      before: hooks.before,
      after: async (published) => {
        await hooks.after?.(published);
        this.outbox.marked(published);
      },
    });
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
