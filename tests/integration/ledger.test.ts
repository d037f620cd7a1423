import { describe, expect, it } from 'vitest';
import { Ledger, type LedgerEntry } from '../../functions/adapters/ledger.ts';
import { Projections, type CustomerImpact } from '../../functions/adapters/projections.ts';
import { initialSubject } from '../../functions/domain/subject.ts';
import { injectThrottling } from '../support/faults.ts';
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

describe('projections', () => {
  const impact = (customerId: string): CustomerImpact => ({
    customerId,
    subjectKey: 'change#CHG-7',
    effect: 'outage',
    touchpoints: ['web'],
    notify: ['email'],
    window: { start: 1, end: 2 },
    status: 'scheduled',
    title: 'DB patch',
  });

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
    await projections.replaceCustomerImpacts('change#CHG-7', ['C-1', 'C-2', 'C-3'].map(impact), []);
    expect(await projections.impactsOfCustomer('C-2')).toEqual([impact('C-2')]);
    const result = await projections.replaceCustomerImpacts('change#CHG-7', [impact('C-3'), impact('C-4')], ['C-1', 'C-2', 'C-3']);
    expect(result).toEqual({ written: 2, removed: 2 });
    expect(await projections.impactsOfCustomer('C-2')).toEqual([]);
    expect((await projections.customersOfSubject('change#CHG-7')).map((c) => c.customerId).sort()).toEqual(['C-3', 'C-4']);
  });

  it('rejected events are recorded with their reasons', async () => {
    const { client, tables } = await freshTables();
    const projections = new Projections(client, tables.impacts);
    const receivedAt = Date.UTC(2026, 11, 5, 10);
    await projections.recordRejection({ eventId: 'e-1', detailType: 'Change Scheduled', reasons: ['detail.window.end: must be after window.start'], receivedAt, raw: '{}' });
    expect(await projections.rejectionsOn('2026-12-05')).toEqual([expect.objectContaining({ eventId: 'e-1', reasons: ['detail.window.end: must be after window.start'] })]);
  });
});
