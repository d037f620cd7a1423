import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalBus, deliveriesFor, toBusEvent, type BusEvent, type Targets } from '../../../lib/local/bus.ts';
import { DeadLetterFile } from '../../../lib/local/dead-letters.ts';
import { Inbox } from '../../../lib/local/inbox.ts';
import { LocalReminders } from '../../../lib/local/reminders.ts';
import { openLocalStore } from '../../../lib/local/store.ts';

const change = (id: string) => ({ source: 'acme', detailType: 'Change Scheduled', detail: { changeId: id } });

/** A bus on a store file of its own; `reopen` is what a restart of the runtime sees. */
const setup = () => {
  const dir = mkdtempSync(join(tmpdir(), 'impact-bus-'));
  const letters = new DeadLetterFile(join(dir, 'dead-letters.jsonl'));
  const logged: string[] = [];
  const open = () => {
    const store = openLocalStore(join(dir, 'runtime.sqlite'));
    const inbox = new Inbox(store, letters, { retryDelaysMs: [10, 20] });
    return { store, inbox, bus: new LocalBus(inbox, (line) => logged.push(line)) };
  };
  const deadLetters = () =>
    existsSync(letters.file)
      ? readFileSync(letters.file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [];
  return { open, logged, deadLetters };
};
const recorder = () => {
  const seen: string[] = [];
  const targets: Targets = {
    ingest: async (e) => void seen.push(`ingest:${(e.detail as { changeId: string }).changeId}`),
    remind: async (e) => void seen.push(`remind:${e['detail-type']}`),
    receipts: async (e) => void seen.push(`receipts:${e['detail-type']}`),
  };
  return { seen, targets };
};
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('local bus: durable before acknowledged', () => {
  it('routes by lib/routes.ts: catalog events to ingest, Notice Due from the pipeline to remind, alarms on the default bus forwarded, the rest nowhere', () => {
    const routes = (bus: 'impact' | 'default', source: string, detailType: string) =>
      deliveriesFor(bus, toBusEvent({ source, detailType, detail: {} })).map((d) => d.route);
    expect(routes('impact', 'acme', 'Change Scheduled')).toEqual(['ingest']);
    expect(routes('impact', 'impact.pipeline', 'Notice Due')).toEqual(['remind']);
    expect(routes('default', 'aws.cloudwatch', 'CloudWatch Alarm State Change')).toEqual(['ingest']);
    expect(routes('impact', 'impact.pipeline', 'Impact Assessed')).toEqual([]);
    expect(routes('default', 'acme', 'Change Scheduled')).toEqual([]);
  });

  it('what put returned from is stored: a runtime that never delivered it (killed) delivers it after a restart, once', async () => {
    const { open } = setup();
    const first = open();
    first.bus.put('impact', [change('CHG-1'), change('CHG-2')]); // no targets yet: nothing delivered
    first.store.close(); // the process is gone
    const { seen, targets } = recorder();
    const second = open();
    expect(second.inbox.pending).toBe(2);
    second.bus.start(targets);
    await until(() => !second.bus.busy);
    expect(seen).toEqual(['ingest:CHG-1', 'ingest:CHG-2']);
    expect(second.inbox.pending).toBe(0);
    second.store.close();
    const third = open();
    expect(third.inbox.pending).toBe(0);
  });

  it('delivers one at a time in arrival order, and what comes in while it runs after it', async () => {
    const { open } = setup();
    const { bus } = open();
    const order: string[] = [];
    let running = 0;
    bus.start({
      ingest: async (e) => {
        running++;
        expect(running).toBe(1);
        await new Promise((r) => setTimeout(r, 5));
        order.push((e.detail as { changeId: string }).changeId);
        if (order.length === 1) bus.put('impact', [change('CHG-3')]);
        running--;
      },
      remind: async () => undefined,
      receipts: async () => undefined,
    });
    bus.put('impact', [change('CHG-1'), change('CHG-2')]);
    await until(() => !bus.busy);
    expect(order).toEqual(['CHG-1', 'CHG-2', 'CHG-3']);
  });

  it('a failing target is retried, then the delivery goes to the dead letters with the reason; the log names no contact details', async () => {
    const { open, logged, deadLetters } = setup();
    const { bus } = open();
    let calls = 0;
    bus.start({
      ingest: async () => {
        calls++;
        throw new Error('cannot reach a@example.com or +31612345678');
      },
      remind: async () => undefined,
      receipts: async () => undefined,
    });
    const [event] = bus.put('impact', [change('CHG-9')]);
    await until(() => !bus.busy);
    expect(calls).toBe(3);
    expect(deadLetters()).toEqual([
      expect.objectContaining({
        source: 'bus',
        route: 'ingest',
        reason: expect.stringContaining('failed 3 times'),
        event: expect.objectContaining({ id: event.id }),
      }),
    ]);
    expect(logged).toHaveLength(3);
    expect(logged.join('\n')).not.toMatch(/example\.com|31612345678/);
    expect(deadLetters()[0].reason).not.toMatch(/example\.com|31612345678/);
  });

  it('a delivery that failed once and then succeeds is done, not dead', async () => {
    const { open, deadLetters } = setup();
    const { bus, inbox } = open();
    let calls = 0;
    bus.start({
      ingest: async () => {
        if (++calls === 1) throw new Error('throttled');
      },
      remind: async () => undefined,
      receipts: async () => undefined,
    });
    bus.put('impact', [change('CHG-5')]);
    await until(() => !bus.busy);
    expect(calls).toBe(2);
    expect(inbox.pending).toBe(0);
    expect(deadLetters()).toEqual([]);
  });

  it('a store that fails under the worker pauses deliveries and logs it; no rejection escapes', async () => {
    const { open, logged } = setup();
    const { store, bus } = open();
    const escaped: unknown[] = [];
    const onRejection = (reason: unknown) => escaped.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      store.close();
      bus.start(recorder().targets);
      await until(() => logged.length > 0);
      await new Promise((r) => setTimeout(r, 100));
      await bus.stop();
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(escaped).toEqual([]);
    expect(logged).toEqual([expect.stringContaining('deliveries paused for a second')]);
  });
});

describe('local bus: receipts in a lane of their own', () => {
  const receipt = (n: number) => ({ source: 'impact.pipeline', detailType: 'Notice Delivered', detail: { n } });

  it('a change is not held up by the receipts of a fan-out; receipts run side by side, each delivered once', async () => {
    const { open } = setup();
    const { bus, inbox } = open();
    const seen: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let running = 0;
    let most = 0;
    bus.start({
      ingest: async (e) => void seen.push(`ingest:${(e.detail as { changeId: string }).changeId}`),
      remind: async () => undefined,
      receipts: async (e) => {
        running++;
        most = Math.max(most, running);
        await released; // a receipts handler that is slow (DynamoDB under load)
        seen.push(`receipt:${(e.detail as { n: number }).n}`);
        running--;
      },
    });
    bus.put(
      'impact',
      Array.from({ length: 20 }, (_, i) => receipt(i)),
    );
    bus.put('impact', [change('CHG-1')]);

    await until(() => seen.includes('ingest:CHG-1'));
    expect(seen, 'the change went through while every receipt still waited').toEqual(['ingest:CHG-1']);
    expect(most, 'receipts side by side, but not all at once').toBeGreaterThan(1);
    expect(most).toBeLessThan(20);

    release();
    await until(() => !bus.busy);
    expect(seen.filter((s) => s.startsWith('receipt:')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `receipt:${i}`).sort());
    expect(inbox.pending).toBe(0);
    await bus.stop();
  });
});

describe('local reminders', () => {
  it('a schedule name is created once; a due reminder fires once, onto the bus as Notice Due, also across a restart', async () => {
    const { open } = setup();
    const { store, bus, inbox } = open();
    const reminders = new LocalReminders(store);
    const due = (version: number) => ({ subjectKey: 'change#CHG-1', kind: 'reminder' as const, version });
    expect(
      await reminders.schedule([
        { name: 'r1', at: 1_000, detail: due(1) },
        { name: 'r2', at: 5_000, detail: due(2) },
      ]),
    ).toBe(2);
    expect(await reminders.schedule([{ name: 'r1', at: 9_999, detail: due(3) }])).toBe(0);
    expect(reminders.fireDue(999, bus)).toBe(0);
    expect(reminders.fireDue(1_000, bus)).toBe(1);
    expect(reminders.fireDue(1_000, bus)).toBe(0);
    expect(inbox.pending).toBe(1);
    const taken = inbox.take()!;
    expect(taken.route).toBe('remind');
    expect(taken.event).toMatchObject({
      source: 'impact.pipeline',
      'detail-type': 'Notice Due',
      detail: { kind: 'reminder', version: 1 },
    } satisfies Partial<BusEvent>);
    store.close();
    const again = open();
    const restarted = new LocalReminders(again.store);
    expect(await restarted.schedule([{ name: 'r1', at: 1_000, detail: due(4) }])).toBe(0); // fired names stay taken
    expect(restarted.fireDue(10_000, again.bus)).toBe(1); // r2 only
  });
});
