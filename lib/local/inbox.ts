/**
 * The local bus's durable intake: each accepted event's delivery to a rule target (ingest, remind) is
 * a row in the runtime's store before PutEvents answers, as EventBridge acknowledges only what it has
 * durably taken. A delivery is removed once its target succeeded; a failed one is retried after a
 * delay (1 s, then 2 s: Lambda's async retries, shortened) and after its last attempt moved to
 * dead-letters.jsonl with the reason. A restart delivers whatever is still here: at least once, as in
 * AWS; ingest's dedupe on the event id makes a repeat harmless.
 */
import type { RouteName } from '../routes.ts';
import type { BusEvent } from './bus.ts';
import type { DeadLetterFile } from './dead-letters.ts';
import { describeError } from './log.ts';
import { atomically, countRows, type LocalStore } from './store.ts';

export interface Delivery {
  route: RouteName;
  event: BusEvent;
}

export interface TakenDelivery extends Delivery {
  id: number;
  attempts: number;
}

export interface InboxOptions {
  maxAttempts?: number;
  retryDelaysMs?: readonly number[];
  now?: () => number;
}

export class Inbox {
  private readonly db: LocalStore;
  private readonly letters: DeadLetterFile;
  private readonly maxAttempts: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly now: () => number;
  private count: number;
  private readonly statements;
  private readonly laneStatements = new Map<string, ReturnType<LocalStore['prepare']>>();

  constructor(db: LocalStore, letters: DeadLetterFile, options: InboxOptions = {}) {
    this.db = db;
    this.letters = letters;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelaysMs = options.retryDelaysMs ?? [1_000, 2_000];
    this.now = options.now ?? Date.now;
    this.count = countRows(db, 'inbox');
    this.statements = {
      insert: db.prepare('INSERT INTO inbox (route, event, due_at) VALUES (?, ?, ?)'),
      next: db.prepare('SELECT id, route, event, attempts FROM inbox WHERE due_at <= ? ORDER BY due_at, id LIMIT 1'),
      attempt: db.prepare('UPDATE inbox SET attempts = attempts + 1 WHERE id = ?'),
      retry: db.prepare('UPDATE inbox SET due_at = ? WHERE id = ?'),
      remove: db.prepare('DELETE FROM inbox WHERE id = ?'),
      firstDue: db.prepare('SELECT min(due_at) AS at FROM inbox'),
    };
  }

  /** Deliveries not yet done (due, in flight or waiting for a retry); O(1). */
  get pending(): number {
    return this.count;
  }

  /** Stores deliveries; when this returns they survive a crash. */
  add(deliveries: readonly Delivery[]): void {
    const now = this.now();
    atomically(this.db, () => {
      for (const d of deliveries) this.statements.insert.run(d.route, JSON.stringify(d.event), now);
    });
    this.count += deliveries.length;
  }

  /** The statement that finds the next due delivery to one of `routes` (a lane of the bus). */
  private nextOn(routes: readonly RouteName[]) {
    const key = routes.join(',');
    let statement = this.laneStatements.get(key);
    if (!statement) {
      statement = this.db.prepare(
        `SELECT id, route, event, attempts FROM inbox WHERE due_at <= ? AND route IN (${routes.map(() => '?').join(', ')}) ORDER BY due_at, id LIMIT 1`,
      );
      this.laneStatements.set(key, statement);
    }
    return statement;
  }

  /**
   * The next due delivery (to one of `routes`, when given: a lane of the bus), its attempt counted (so a
   * crash in the middle of it uses one up).
   */
  take(routes?: readonly RouteName[]): TakenDelivery | undefined {
    const row = (routes ? this.nextOn(routes).get(this.now(), ...routes) : this.statements.next.get(this.now())) as
      | { id: number; route: RouteName; event: string; attempts: number }
      | undefined;
    if (!row) return undefined;
    this.statements.attempt.run(row.id);
    return { id: row.id, route: row.route, event: JSON.parse(row.event), attempts: row.attempts + 1 };
  }

  /**
   * Up to `max` due deliveries to `routes` at once, each hidden for `hideMs` while it runs (a lane whose
   * deliveries may run side by side): one a crash interrupted is due again once that time is over.
   */
  takeSome(routes: readonly RouteName[], max: number, hideMs: number): TakenDelivery[] {
    return atomically(this.db, () => {
      const taken: TakenDelivery[] = [];
      for (let i = 0; i < max; i++) {
        const row = this.nextOn(routes).get(this.now(), ...routes) as { id: number; route: RouteName; event: string; attempts: number } | undefined;
        if (!row) break;
        this.statements.attempt.run(row.id);
        this.statements.retry.run(this.now() + hideMs, row.id);
        taken.push({ id: row.id, route: row.route, event: JSON.parse(row.event), attempts: row.attempts + 1 });
      }
      return taken;
    });
  }

  done(delivery: TakenDelivery): void {
    this.count -= Number(this.statements.remove.run(delivery.id).changes);
  }

  /** A failed attempt: retried after a delay, or, after the last attempt, a dead letter. */
  failed(delivery: TakenDelivery, error: unknown): void {
    if (delivery.attempts < this.maxAttempts) {
      const delay = this.retryDelaysMs[Math.min(delivery.attempts, this.retryDelaysMs.length) - 1] ?? 0;
      this.statements.retry.run(this.now() + delay, delivery.id);
      return;
    }
    atomically(this.db, () => {
      this.letters.add('bus', `delivery to ${delivery.route} failed ${delivery.attempts} times: ${describeError(error)}`, {
        route: delivery.route,
        event: delivery.event,
      });
      this.done(delivery);
    });
  }

  /** When the earliest waiting delivery is due (undefined when there is none). */
  nextDueAt(): number | undefined {
    const { at } = this.statements.firstDue.get() as { at: number | null };
    return at ?? undefined;
  }
}
