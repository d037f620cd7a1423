import { readFileSync } from 'node:fs';
import { DynamoDBClient, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { EventStore, isEventAlreadyExistsError, isSubjectOwnedError, versionKey, type EventAlreadyExistsError } from '../../functions/adapters/event-store.ts';
import { parseEvent } from '../../functions/domain/events/index.ts';
import { foldSubject } from '../../functions/domain/subject.ts';
import { injectThrottling } from '../support/faults.ts';
import { freshTables, localClientConfig } from '../support/dynamodb.ts';
import { changeScheduled, rawEvent, T0, iso } from '../support/events.ts';

/** Every test gets its own tables: none reads what another one wrote. */
const freshStore = async (options?: ConstructorParameters<typeof EventStore>[2]) => {
  const env = await freshTables();
  return { ...env, store: new EventStore(env.client, env.tables.events, options) };
};

const update = (changeId: string, n: number) =>
  parseEvent(rawEvent('Change Updated', { changeId, title: `update ${n}`, eventId: `${changeId}-u${n}`, occurredAt: iso(T0 + n * 1000) }));

describe('event store on DynamoDB Local', () => {
  it('appends with contiguous versions and reads the stream back in order', async () => {
    const { store } = await freshStore();
    const opened = parseEvent(changeScheduled({ changeId: 'CHG-A', eventId: 'a-1' }));
    expect(await store.append(opened)).toEqual({ status: 'appended', version: 1 });
    expect(await store.append(update('CHG-A', 2))).toEqual({ status: 'appended', version: 2 });
    const stored = await store.readSubject('change#CHG-A');
    expect(stored.map((s) => [s.version, s.event.eventId])).toEqual([
      [1, 'a-1'],
      [2, 'CHG-A-u2'],
    ]);
    expect(foldSubject(stored.map((s) => s.event))).toMatchObject({ title: 'update 2', opened: true });
  });

  it('stores the schema version, the event facts and the detail as the producer sent it', async () => {
    const { store, client, tables } = await freshStore();
    await store.append(parseEvent(changeScheduled({ changeId: 'CHG-S', eventId: 's-1', ticket: 'CAB-1' })), 5_000);
    const { Item } = await client.send(new GetCommand({ TableName: tables.events, Key: { pk: 'change#CHG-S', sk: versionKey(1) } }));
    expect(Item).toMatchObject({
      schemaVersion: 2,
      kind: 'event',
      version: 1,
      recordedAt: 5_000,
      eventId: 's-1',
      detailType: 'Change Scheduled',
      occurredAt: T0,
      source: 'test.producer',
    });
    expect(JSON.parse(String(Item?.detail))).toMatchObject({ changeId: 'CHG-S', ticket: 'CAB-1' });
    expect(Item).not.toHaveProperty('event');
  });

  it('the same eventId twice is one event', async () => {
    const { store } = await freshStore();
    const event = parseEvent(changeScheduled({ changeId: 'CHG-B', eventId: 'b-1' }));
    expect((await store.append(event)).status).toBe('appended');
    expect(await store.append(event)).toEqual({ status: 'duplicate' });
    expect(await store.readSubject('change#CHG-B')).toHaveLength(1);
  });

  it('twenty concurrent appenders on one stream lose nothing, duplicate nothing, leave versions contiguous', async () => {
    const { store } = await freshStore();
    const events = Array.from({ length: 20 }, (_, i) => update('CHG-C', i + 1));
    // Every event is sent twice, concurrently: the duplicates must collapse.
    const results = await Promise.all([...events, ...events].map((e) => store.append(e)));
    expect(results.filter((r) => r.status === 'appended')).toHaveLength(20);
    const stored = await store.readSubject('change#CHG-C');
    expect(stored.map((s) => s.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(stored.map((s) => s.event.eventId))).toEqual(new Set(events.map((e) => e.eventId)));
  });

  it('readAll returns every subject in version order, for replay', async () => {
    const { store } = await freshStore();
    await store.append(update('CHG-Z', 1));
    await store.append(parseEvent(changeScheduled({ changeId: 'CHG-Y', eventId: 'y-1' })));
    await store.append(update('CHG-Z', 2));
    await store.append(update('CHG-Y', 3));
    const all = await store.readAll();
    expect([...all.keys()]).toEqual(['change#CHG-Y', 'change#CHG-Z']);
    expect(all.get('change#CHG-Y')?.map((s) => [s.version, s.event.eventId])).toEqual([
      [1, 'y-1'],
      [2, 'CHG-Y-u3'],
    ]);
    expect(all.get('change#CHG-Z')?.map((s) => [s.version, s.event.eventId])).toEqual([
      [1, 'CHG-Z-u1'],
      [2, 'CHG-Z-u2'],
    ]);
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

  it('an appender that loses the race for the next version every time gets EventAlreadyExistsError, and writes nothing', async () => {
    const { client, tables, store: loser } = await freshStore({ maxAppendAttempts: 3 });
    const rival = new EventStore(documentClient(localClientConfig()), tables.events);
    let rivals = 0;
    // Between the loser's read of the head and its write, a rival appends: a real lost race, every time.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') await rival.append(update('CHG-R', ++rivals));
        return next(args);
      },
      { step: 'initialize', name: 'rivalAppender' },
    );
    const mine = parseEvent(changeScheduled({ changeId: 'CHG-R', eventId: 'mine' }));
    const error = await loser.append(mine).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEventAlreadyExistsError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'EventAlreadyExistsError', code: 'EventAlreadyExistsError', subjectKey: 'change#CHG-R', version: 3, eventId: 'mine' });
    expect((error as EventAlreadyExistsError).message).toMatch(/nothing was written, deliver the event again/);
    expect((error as EventAlreadyExistsError).cause).toMatchObject({ name: 'TransactionCanceledException' });
    const stored = await rival.readSubject('change#CHG-R');
    expect(stored.map((s) => s.event.eventId)).toEqual(['CHG-R-u1', 'CHG-R-u2', 'CHG-R-u3']);
    expect(isEventAlreadyExistsError(new Error('other'))).toBe(false);
  });
});

describe('events stored before schema versions still read as the current version', () => {
  const v1Items = JSON.parse(readFileSync(new URL('../fixtures/event-store/v1-items.json', import.meta.url), 'utf8')) as Record<string, AttributeValue>[];

  it('given items as the old event store wrote them, when read with a newer event appended, then the history is whole and in order', async () => {
    const { store, tables } = await freshStore();
    const raw = new DynamoDBClient(localClientConfig());
    for (const Item of v1Items) await raw.send(new PutItemCommand({ TableName: tables.events, Item }));
    raw.destroy();
    const completed = parseEvent(rawEvent('Change Completed', { changeId: 'CHG-2041', eventId: 'chg-2041-done', occurredAt: '2026-12-06T04:20:00Z' }));
    expect(await store.append(completed)).toEqual({ status: 'appended', version: 3 });
    const history = await store.readSubject('change#CHG-2041');
    expect(history.map((s) => [s.version, s.event.detailType, s.event.eventId])).toEqual([
      [1, 'Change Scheduled', 'chg-2041-scheduled'],
      [2, 'Change Updated', 'eb-0002'],
      [3, 'Change Completed', 'chg-2041-done'],
    ]);
    expect(foldSubject(history.map((s) => s.event))).toMatchObject({
      status: 'completed',
      window: { start: Date.parse('2026-12-06T02:00:00Z'), end: Date.parse('2026-12-06T04:30:00Z') },
    });
    const all = await store.readAll();
    expect([...all.keys()]).toEqual(['change#CHG-2041', 'incident#ALARM-dcs-5xx']);
    expect(all.get('incident#ALARM-dcs-5xx')?.map((s) => s.event.replayName)).toEqual([undefined, 'rebuild-2026-12']);
  });
});

describe('event store: a subject id belongs to the tool that first used it', () => {
  const from = (source: string, raw: ReturnType<typeof rawEvent>) => parseEvent({ ...raw, source });
  const opening = (source: string, eventId: string) => from(source, changeScheduled({ changeId: 'CHG-O', eventId }));
  const updateFrom = (source: string, eventId: string) =>
    from(source, rawEvent('Change Updated', { changeId: 'CHG-O', title: `from ${source}`, eventId, occurredAt: iso(T0 + 60_000) }));
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );

  it("another source's events on the id are refused with the owner named; nothing is written", async () => {
    const { store } = await freshStore();
    expect(await store.append(opening('servicenow', 'sn-1'))).toEqual({ status: 'appended', version: 1 });
    expect(await store.append(updateFrom('servicenow', 'sn-2'))).toEqual({ status: 'appended', version: 2 });
    for (const foreign of [opening('jira', 'jira-1'), updateFrom('jira', 'jira-2')]) {
      const error = await refusal(store.append(foreign));
      expect(isSubjectOwnedError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ name: 'SubjectOwnedError', subjectKey: 'change#CHG-O', owner: 'servicenow', source: 'jira', eventId: foreign.eventId });
    }
    expect((await store.readSubject('change#CHG-O')).map((s) => s.event.eventId)).toEqual(['sn-1', 'sn-2']);
  });

  it('the console and the CLI act on any subject; the owner stays the first source', async () => {
    const { store } = await freshStore();
    await store.append(opening('servicenow', 'sn-1'));
    expect((await store.append(updateFrom('impact.console', 'console-1'))).status).toBe('appended');
    expect((await store.append(opening('impact.cli', 'cli-1'))).status).toBe('appended');
    expect(await refusal(store.append(updateFrom('jira', 'jira-1')))).toMatchObject({ owner: 'servicenow' });
  });

  it('an id first used from the console or the CLI belongs to no tool until a tool uses it', async () => {
    const { store } = await freshStore();
    expect((await store.append(opening('impact.cli', 'cli-1'))).status).toBe('appended');
    expect((await store.append(updateFrom('impact.console', 'console-1'))).status).toBe('appended');
    expect((await store.append(updateFrom('acme.change-management', 'acme-1'))).status).toBe('appended');
    expect(await refusal(store.append(updateFrom('jira', 'jira-1')))).toMatchObject({ owner: 'acme.change-management' });
  });

  it('the first event names the owner whatever its type (an update held before its opening event too)', async () => {
    const { store } = await freshStore();
    expect((await store.append(updateFrom('jira', 'jira-early'))).status).toBe('appended');
    expect(await refusal(store.append(opening('servicenow', 'sn-1')))).toMatchObject({ owner: 'jira', source: 'servicenow' });
    expect((await store.append(opening('jira', 'jira-open'))).status).toBe('appended');
  });

  it('four tools using one new id at the same moment: exactly one gets in, the others are told which', async () => {
    const { store } = await freshStore();
    const sources = ['servicenow', 'jira', 'pagerduty', 'acme'];
    const results = await Promise.allSettled(sources.map((source) => store.append(opening(source, `${source}-open`))));
    const won = sources.filter((_, i) => results[i].status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'SubjectOwnedError', owner: won[0] });
    expect(await store.readSubject('change#CHG-O')).toHaveLength(1);
  });

  it('a duplicate of an accepted event is still a duplicate, not a refusal', async () => {
    const { store } = await freshStore();
    const event = opening('servicenow', 'sn-1');
    await store.append(event);
    expect(await store.append(event)).toEqual({ status: 'duplicate' });
  });
});
