import { beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../functions/adapters/event-store.ts';
import { parseEvent } from '../../functions/domain/events/index.ts';
import { foldSubject } from '../../functions/domain/subject.ts';
import { injectThrottling } from '../support/faults.ts';
import { freshTables } from '../support/dynamodb.ts';
import { changeScheduled, rawEvent, T0, iso } from '../support/events.ts';

let store: EventStore;
let env: Awaited<ReturnType<typeof freshTables>>;
beforeAll(async () => {
  env = await freshTables();
  store = new EventStore(env.client, env.tables.events);
});

const update = (changeId: string, n: number) =>
  parseEvent(rawEvent('Change Updated', { changeId, title: `update ${n}`, eventId: `${changeId}-u${n}`, occurredAt: iso(T0 + n * 1000) }));

describe('event store on DynamoDB Local', () => {
  it('appends with contiguous versions and reads the stream back in order', async () => {
    const opened = parseEvent(changeScheduled({ changeId: 'CHG-A', eventId: 'a-1' }));
    expect(await store.append(opened)).toEqual({ status: 'appended', version: 1 });
    expect(await store.append(update('CHG-A', 2))).toEqual({ status: 'appended', version: 2 });
    const stored = await store.readSubject('change#CHG-A');
    expect(stored.map((s) => [s.version, s.event.eventId])).toEqual([[1, 'a-1'], [2, 'CHG-A-u2']]);
    expect(foldSubject(stored.map((s) => s.event))).toMatchObject({ title: 'update 2', opened: true });
  });

  it('the same eventId twice is one event', async () => {
    const event = parseEvent(changeScheduled({ changeId: 'CHG-B', eventId: 'b-1' }));
    expect((await store.append(event)).status).toBe('appended');
    expect(await store.append(event)).toEqual({ status: 'duplicate' });
    expect(await store.readSubject('change#CHG-B')).toHaveLength(1);
  });

  it('twenty concurrent appenders on one stream lose nothing, duplicate nothing, leave versions contiguous', async () => {
    const events = Array.from({ length: 20 }, (_, i) => update('CHG-C', i + 1));
    // Every event is sent twice, concurrently: the duplicates must collapse.
    const results = await Promise.all([...events, ...events].map((e) => store.append(e)));
    expect(results.filter((r) => r.status === 'appended')).toHaveLength(20);
    const stored = await store.readSubject('change#CHG-C');
    expect(stored.map((s) => s.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(stored.map((s) => s.event.eventId))).toEqual(new Set(events.map((e) => e.eventId)));
  });

  it('readAll returns every subject in version order, for replay', async () => {
    const all = await store.readAll();
    expect([...all.keys()]).toEqual(['change#CHG-A', 'change#CHG-B', 'change#CHG-C']);
    for (const list of all.values()) expect(list.map((s) => s.version)).toEqual(list.map((_, i) => i + 1));
  });

  it('under injected throttling, appends still land exactly once', async () => {
    const faulty = await freshTables();
    const counters = injectThrottling(faulty.client, 3);
    const flaky = new EventStore(faulty.client, faulty.tables.events);
    const events = Array.from({ length: 8 }, (_, i) => update('CHG-D', i + 1));
    await Promise.all([...events, ...events].map((e) => flaky.append(e)));
    expect(counters.throttled).toBeGreaterThan(0);
    const stored = await flaky.readSubject('change#CHG-D');
    expect(stored.map((s) => s.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(stored.map((s) => s.event.eventId)).size).toBe(8);
  });
});
