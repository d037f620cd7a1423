/**
 * Follows the local runtime's outbox (`outbox.jsonl`) while it grows, counting the customer notices of
 * one subject by kind and customer: what the bench compares against the independent what-if. Reads
 * only the bytes appended since the last poll, so a fan-out of 390,000 notices costs one pass.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

export interface KindTally {
  /** Customer id -> notices of this kind received. */
  perCustomer: Map<string, number>;
  /** Customer id -> when the first one was published (epoch ms). */
  firstAt: Map<string, number>;
  /** Customer id -> the channel of the first one. */
  channel: Map<string, string>;
  first?: number;
  last?: number;
  total: number;
}

export class OutboxTail {
  readonly kinds = new Map<string, KindTally>();
  briefings = 0;
  private offset = 0;
  private rest = '';
  private readonly file: string;
  private readonly subjectKey: string;

  constructor(file: string, subjectKey: string) {
    this.file = file;
    this.subjectKey = subjectKey;
  }

  tally(kind: string): KindTally {
    let t = this.kinds.get(kind);
    if (!t) this.kinds.set(kind, (t = { perCustomer: new Map(), firstAt: new Map(), channel: new Map(), total: 0 }));
    return t;
  }

  /** Reads what was appended since the last call. */
  poll(): void {
    if (!existsSync(this.file)) return;
    const size = statSync(this.file).size;
    if (size <= this.offset) return;
    const fd = openSync(this.file, 'r');
    try {
      const chunk = Buffer.alloc(Math.min(size - this.offset, 64 << 20));
      const read = readSync(fd, chunk, 0, chunk.length, this.offset);
      this.offset += read;
      const lines = (this.rest + chunk.subarray(0, read).toString('utf8')).split('\n');
      this.rest = lines.pop() ?? '';
      for (const line of lines) if (line) this.count(JSON.parse(line));
    } finally {
      closeSync(fd);
    }
  }

  private count(line: { topic: string; message: { kind: string; subject: string; customerId: string; channel: string }; publishedAt: string }): void {
    if (line.topic !== 'customer-notices') {
      this.briefings++;
      return;
    }
    const m = line.message;
    if (m.subject !== this.subjectKey) return;
    const at = Date.parse(line.publishedAt);
    const t = this.tally(m.kind);
    t.total++;
    t.perCustomer.set(m.customerId, (t.perCustomer.get(m.customerId) ?? 0) + 1);
    if (!t.firstAt.has(m.customerId)) {
      t.firstAt.set(m.customerId, at);
      t.channel.set(m.customerId, m.channel);
    }
    t.first = Math.min(t.first ?? at, at);
    t.last = Math.max(t.last ?? at, at);
  }
}

export interface Exactness {
  expected: number;
  received: number;
  /** Expected customers who got none. */
  misses: number;
  /** Customers who got more than one. */
  doubles: number;
  /** Customers who got one but were not expected to. */
  strays: number;
  /** Notices on another channel than the what-if chose. */
  wrongChannel: number;
}

/** Compares a kind's tally with the customers who should have exactly one notice of it. */
export const exactness = (tally: KindTally, expected: ReadonlyMap<string, string>): Exactness => {
  let misses = 0;
  let wrongChannel = 0;
  for (const [id, channel] of expected) {
    if (!tally.perCustomer.has(id)) misses++;
    else if (tally.channel.get(id) !== channel) wrongChannel++;
  }
  let doubles = 0;
  let strays = 0;
  for (const [id, n] of tally.perCustomer) {
    if (n > 1) doubles++;
    if (!expected.has(id)) strays++;
  }
  return { expected: expected.size, received: tally.total, misses, doubles, strays, wrongChannel };
};
