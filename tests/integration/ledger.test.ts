import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Ledger, claimPageKey, newCountToken, type LedgerEntry } from '../../functions/adapters/ledger.ts';
import { noticePageOf } from '../../functions/domain/notices/jobs.ts';
import { Projections } from '../../functions/adapters/projections.ts';
import type { StoredImpact } from '../../functions/domain/notices/shard-plan.ts';
import { initialSubject } from '../../functions/domain/subject.ts';
import { countCommands, injectThrottling, injectUnprocessed } from '../support/faults.ts';
import { freshTables } from '../support/dynamodb.ts';

const entry = (customerId: string, kind = 'change-notice', version = 1): LedgerEntry => ({
  subjectKey: 'change#CHG-1',
  customerId,
  kind,
  version,
  channel: 'email',
  sentAt: Date.UTC(2026, 11, 1),
});

describe('ledger: exactly once per (subject, customer, kind, version)', () => {
  it('records new entries once; retries and duplicates come back as already recorded', async () => {
    const { client, tables } = await freshTables();
    const ledger = new Ledger(client, tables.impacts);
    const batch = Array.from({ length: 60 }, (_, i) => entry(`C-${i}`));
    const first = await ledger.record(batch);
    expect([first.recorded.length, first.already.length]).toEqual([60, 0]);
    // A retried worker: half old, half new, plus the same new entry twice in one call.
    const retry = [...batch.slice(0, 30), ...Array.from({ length: 30 }, (_, i) => entry(`C-${i}`, 'reminder')), entry('C-0', 'reminder')];
    const second = await ledger.record(retry);
    expect([second.recorded.length, second.already.length]).toEqual([30, 30]);
    expect((await ledger.sentTo('change#CHG-1', 'C-0')).map((e) => e.kind).sort()).toEqual(['change-notice', 'reminder']);
    const about = await ledger.sentAbout('change#CHG-1');
    expect(about).toHaveLength(90);
    expect(new Set(about.map((e) => `${e.customerId}/${e.kind}`)).size).toBe(90);
  });

  it('concurrent workers recording the same entries under throttling: each recorded exactly once', async () => {
    const { client, tables } = await freshTables();
    injectThrottling(client, 5);
    const ledger = new Ledger(client, tables.impacts);
    const batch = Array.from({ length: 80 }, (_, i) => entry(`C-${i}`, 'incident-notice', 2));
    const results = await Promise.all([ledger.record(batch), ledger.record([...batch].reverse()), ledger.record(batch.slice(20, 60))]);
    expect(results.reduce((n, r) => n + r.recorded.length, 0)).toBe(80);
    expect(await ledger.sentAbout('change#CHG-1')).toHaveLength(80);
  });
});

/** What notify does after SNS took a batch: marks it sent under its run's count token (counted at the run's end). */
const markSent = (client: Awaited<ReturnType<typeof freshTables>>['client'], table: string, entries: readonly LedgerEntry[], sentAt: number) =>
  new Projections(client, table).markSent(entries, newCountToken(entries[0].customerId), sentAt);

describe('ledger: claims for sending', () => {
  it('workers racing for the same notices on the same pages: each notice is claimed by exactly one of them', async () => {
    const { client, tables } = await freshTables();
    const ledger = new Ledger(client, tables.impacts);
    // 300 customers on three claim pages; six workers hold overlapping slices of them.
    const ids: string[] = [];
    for (let i = 0; ids.length < 300; i++) if (noticePageOf(`C-${i}`) < 3) ids.push(`C-${i}`);
    const batch = ids.map((id) => entry(id, 'incident-notice', 3));
    const slices = [
      batch,
      [...batch].reverse(),
      batch.slice(0, 200),
      batch.slice(100),
      batch.filter((_, i) => i % 2 === 0),
      batch.filter((_, i) => i % 3 === 0),
    ];
    const claims = await Promise.all(slices.map((slice, i) => ledger.claim(slice, `job-${i}`)));
    const owners = new Map<string, number>();
    for (const { send } of claims) for (const e of send) owners.set(e.customerId, (owners.get(e.customerId) ?? 0) + 1);
    expect(owners.size).toBe(300);
    expect([...owners.values()].every((n) => n === 1)).toBe(true);
    expect(claims.map((c) => c.send.length + c.skipped.length)).toEqual(slices.map((s) => s.length));
  });

  it('a redelivered job sends again only its own claims that were never recorded as sent', async () => {
    const { client, tables } = await freshTables();
    const ledger = new Ledger(client, tables.impacts);
    const batch = Array.from({ length: 50 }, (_, i) => entry(`C-${i}`));
    const first = await ledger.claim(batch, 'message-1');
    expect(first.send).toHaveLength(50);
    // The worker recorded the first 20 as sent, then died; another job holds 10 further notices.
    await markSent(client, tables.impacts, first.send.slice(0, 20), Date.UTC(2026, 11, 1, 1));
    const other = await ledger.claim([...batch.slice(40), entry('C-99')], 'message-2');
    expect(other.send.map((e) => e.customerId)).toEqual(['C-99']);
    const again = await ledger.claim(batch, 'message-1');
    const sentBefore = new Set(first.send.slice(0, 20).map((e) => e.customerId));
    expect(again.send.map((e) => e.customerId).sort()).toEqual(
      batch
        .map((e) => e.customerId)
        .filter((id) => !sentBefore.has(id))
        .sort(),
    );
    expect(again.skipped.map((e) => e.customerId).sort()).toEqual([...sentBefore].sort());
    // Those it finds sent come back with their count token: the caller counts them if the run did not.
    expect(again.marked.map((m) => m.entry.customerId).sort()).toEqual([...sentBefore].sort());
    expect(new Set(again.marked.map((m) => m.countToken)).size).toBe(1);
  });

  it('released claims can be claimed by the next job (a DLQ redrive)', async () => {
    const { client, tables } = await freshTables();
    const ledger = new Ledger(client, tables.impacts);
    const batch = Array.from({ length: 30 }, (_, i) => entry(`C-${i}`));
    const first = await ledger.claim(batch, 'message-1');
    await markSent(client, tables.impacts, first.send.slice(0, 25), Date.UTC(2026, 11, 1, 1));
    await ledger.release(first.send.slice(25), 'message-1');
    const redrive = await ledger.claim(batch, 'message-2');
    expect(redrive.send.map((e) => e.customerId).sort()).toEqual(
      first.send
        .slice(25)
        .map((e) => e.customerId)
        .sort(),
    );
    expect(await ledger.sentAbout('change#CHG-1')).toHaveLength(25);
  });

  it('one request claims a whole page, however many customers it holds; a second claimant gets none of them', async () => {
    const { client, tables } = await freshTables();
    const counts = countCommands(client);
    const ledger = new Ledger(client, tables.impacts);
    const ids: string[] = [];
    for (let i = 0; ids.length < 2_000; i++) if (noticePageOf(`C-${i}`) === 7) ids.push(`C-${i}`);
    const { send } = await ledger.claim(
      ids.map((id) => entry(id)),
      'message-1',
    );
    expect(send).toHaveLength(ids.length);
    expect(counts.get('UpdateItemCommand')).toBe(1);
    const second = await ledger.claim(
      ids.slice(0, 10).map((id) => entry(id)),
      'message-2',
    );
    expect([second.send.length, second.skipped.length]).toEqual([0, 10]);
    const page = await client.send(new GetCommand({ TableName: tables.impacts, Key: claimPageKey(entry(ids[0])) }));
    expect([...Object.values(page.Item ?? {})].filter((v) => v instanceof Set).map((v) => (v as Set<string>).size)).toEqual([ids.length]);
  });

  it('claims are leases: another claimant takes over the unsent notices of a claimant whose lease ran out, never before', async () => {
    const { client, tables } = await freshTables();
    const ledger = new Ledger(client, tables.impacts, { leaseMs: 60_000 });
    const t0 = Date.UTC(2026, 11, 1);
    const batch = Array.from({ length: 40 }, (_, i) => entry(`C-${i}`));
    // A claims all 40, sends 15, then dies.
    const a = await ledger.claim(batch, 'message-A', { now: t0 });
    expect([a.send.length, a.leaseUntil]).toEqual([40, t0 + 60_000]);
    await markSent(client, tables.impacts, a.send.slice(0, 15), t0 + 1_000);
    // Within A's lease a redrive (new message id) gets nothing: A may still be sending.
    const early = await ledger.claim(batch, 'message-B', { now: t0 + 59_000 });
    expect([early.send.length, early.skipped.length]).toEqual([0, 40]);
    // After it, B takes over exactly the 25 A never marked sent.
    const late = await ledger.claim(batch, 'message-B', { now: t0 + 61_000 });
    const unsent = a.send
      .slice(15)
      .map((e) => e.customerId)
      .sort();
    expect(late.send.map((e) => e.customerId).sort()).toEqual(unsent);
    expect(late.skipped).toHaveLength(15);
    // A coming back (its own message redelivered) finds them taken while B's lease holds; a third job too.
    const back = await ledger.claim(batch, 'message-A', { now: t0 + 62_000 });
    expect(back.send).toEqual([]);
    expect((await ledger.claim(batch, 'message-C', { now: t0 + 62_000 })).send).toEqual([]);
    // Each page names one owner per customer: the 25 are B's, and no longer A's.
    const owners = new Map<string, number>();
    for (const key of new Set(batch.map((e) => JSON.stringify(claimPageKey(e))))) {
      const page = (await client.send(new GetCommand({ TableName: tables.impacts, Key: JSON.parse(key) }))).Item ?? {};
      for (const value of Object.values(page)) if (value instanceof Set) for (const id of value as Set<string>) owners.set(id, (owners.get(id) ?? 0) + 1);
    }
    expect([...owners.values()].every((n) => n === 1)).toBe(true);
    expect(owners.size).toBe(40);
  });

  it("two redrives racing for a dead claimant's notices: each notice goes to exactly one of them", async () => {
    const { client, tables } = await freshTables();
    const ledger = new Ledger(client, tables.impacts, { leaseMs: 1_000 });
    const t0 = Date.UTC(2026, 11, 1);
    const batch = Array.from({ length: 120 }, (_, i) => entry(`C-${i}`, 'incident-notice'));
    await ledger.claim(batch, 'dead', { now: t0 });
    const racers = await Promise.all(['r1', 'r2', 'r3'].map((r) => ledger.claim(batch, r, { now: t0 + 5_000 })));
    const sent = racers.flatMap((r) => r.send.map((e) => e.customerId));
    expect(sent).toHaveLength(120);
    expect(new Set(sent).size).toBe(120);
  });

  it('records are written despite unprocessed batch items', async () => {
    const { client, tables } = await freshTables();
    const faults = injectUnprocessed(client);
    const ledger = new Ledger(client, tables.impacts);
    const { recorded } = await ledger.record(Array.from({ length: 120 }, (_, i) => entry(`C-${i}`)));
    expect(recorded).toHaveLength(120);
    expect(faults.unprocessed).toBeGreaterThan(0);
    expect(await ledger.sentAbout('change#CHG-1')).toHaveLength(120);
  });
});

describe('projections', () => {
  const impact = (customerId: string): StoredImpact => ({ customerId, effect: 'outage', touchpoints: ['web'], notify: ['email'], segment: 'leisure' });

  it('subject state is written only forward in event version', async () => {
    const { client, tables } = await freshTables();
    const projections = new Projections(client, tables.impacts);
    const base = {
      subjectKey: 'change#CHG-7',
      state: { ...initialSubject('change', 'CHG-7'), opened: true },
      summary: { touchpoints: 0, customers: 0, byEffect: {}, byChannel: {}, bySegment: {}, unreachable: 0 },
      touchpoints: [],
      unknownNodes: [],
      graphVersion: 1,
      updatedAt: 0,
    };
    expect(await projections.putSubject({ ...base, eventVersion: 2 })).toBe(true);
    expect(await projections.putSubject({ ...base, eventVersion: 1, graphVersion: 9 })).toBe(false);
    expect(await projections.putSubject({ ...base, eventVersion: 3, graphVersion: 3 })).toBe(true);
    expect(await projections.getSubject('change#CHG-7')).toMatchObject({ eventVersion: 3, graphVersion: 3, state: { id: 'CHG-7', opened: true } });
  });

  it('customer -> subjects and subject -> customers, replaced as the impact changes', async () => {
    const { client, tables } = await freshTables();
    const projections = new Projections(client, tables.impacts);
    await projections.writeImpacts('change#CHG-7', ['C-1', 'C-2', 'C-3'].map(impact), []);
    expect(await projections.impactsOfCustomer('C-2')).toEqual([{ ...impact('C-2'), subjectKey: 'change#CHG-7' }]);
    await projections.writeImpacts('change#CHG-7', [impact('C-3'), impact('C-4')], ['C-1', 'C-2']);
    expect(await projections.impactsOfCustomer('C-2')).toEqual([]);
    expect((await projections.customersOfSubject('change#CHG-7')).map((c) => c.customerId).sort()).toEqual(['C-3', 'C-4']);
    // The console's page reads the byEffectSegment index: every written impact is on it, the removed ones are not.
    const page = await projections.impactPage('change#CHG-7', [{ effect: 'outage', segment: 'leisure' }], 10);
    expect(page.customers.map((c) => c.customerId)).toEqual(['C-3', 'C-4']);
  });

  it('rejected events are recorded with their reasons', async () => {
    const { client, tables } = await freshTables();
    const projections = new Projections(client, tables.impacts);
    const receivedAt = Date.UTC(2026, 11, 5, 10);
    await projections.recordRejection({
      eventId: 'e-1',
      detailType: 'Change Scheduled',
      reasons: ['detail.window.end: must be after window.start'],
      receivedAt,
      raw: '{}',
    });
    expect(await projections.rejectionsOn('2026-12-05')).toEqual([
      expect.objectContaining({ eventId: 'e-1', reasons: ['detail.window.end: must be after window.start'] }),
    ]);
  });
});
