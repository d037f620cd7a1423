import { describe, expect, it } from 'vitest';
import { planNotices, planScheduled, type Told } from '../../../functions/domain/notices/index.ts';
import type { SubjectState } from '../../../functions/domain/model.ts';
import { openChange } from '../../support/graphs.ts';

const T0 = Date.UTC(2026, 11, 5);
const H = 3_600_000;
const change = (over: Partial<SubjectState> = {}): SubjectState => ({
  ...openChange([{ node: 'db', effect: 'outage' }], { start: T0 + 2 * H, end: T0 + 4 * H }),
  ...over,
});
const incident = (over: Partial<SubjectState> = {}): SubjectState => ({
  ...change(),
  type: 'incident',
  id: 'INC-1',
  status: 'open',
  window: { start: T0 },
  ...over,
});
const told = (entries: Record<string, Told[]>) => new Map(Object.entries(entries));
const ids = (plan: { customerId: string; kind: string; version: number }[]) => plan.map((p) => `${p.customerId}:${p.kind}:${p.version}`);

describe('planning notices (DESIGN section 7)', () => {
  it('newly affected customers get the first notice at the scope version; outage before degraded', () => {
    const plan = planNotices({
      state: change(),
      affected: [
        { id: 'C-2', effect: 'degraded' },
        { id: 'C-1', effect: 'outage' },
      ],
      told: new Map(),
      at: T0,
    });
    expect(ids(plan)).toEqual(['C-1:change-notice:1', 'C-2:change-notice:1']);
  });

  it('nothing already in the ledger is planned again (reprocessing sends nothing)', () => {
    const plan = planNotices({
      state: change(),
      affected: [{ id: 'C-1', effect: 'outage' }],
      told: told({ 'C-1': [{ kind: 'change-notice', version: 1 }] }),
      at: T0,
    });
    expect(plan).toEqual([]);
  });

  it('a rescheduled change: told customers get change-update, dropped ones an all-clear, new ones the notice', () => {
    const plan = planNotices({
      state: change({ scopeVersion: 2 }),
      affected: [
        { id: 'C-1', effect: 'outage' },
        { id: 'C-3', effect: 'outage' },
      ],
      told: told({ 'C-1': [{ kind: 'change-notice', version: 1 }], 'C-2': [{ kind: 'change-notice', version: 1 }] }),
      at: T0,
    });
    expect(ids(plan).sort()).toEqual(['C-1:change-update:2', 'C-2:all-clear:2', 'C-3:change-notice:2']);
  });

  it('cancellation and completion reach everyone who was told, and only them', () => {
    const history = told({
      'C-1': [{ kind: 'change-notice', version: 1 }],
      'C-2': [{ kind: 'change-update', version: 2 }],
      'C-9': [{ kind: 'reminder', version: 1 }],
    });
    expect(ids(planNotices({ state: change({ status: 'cancelled' }), affected: [], told: history, at: T0 }))).toEqual([
      'C-1:change-cancelled:1',
      'C-2:change-cancelled:1',
    ]);
    expect(ids(planNotices({ state: change({ status: 'completed' }), affected: [], told: history, at: T0 }))).toEqual([
      'C-1:change-completed:1',
      'C-2:change-completed:1',
    ]);
  });

  it("an incident: first notice, updates on status change (versioned by the event's time), resolution to everyone told", () => {
    const opened = planNotices({ state: incident(), affected: [{ id: 'C-1', effect: 'outage' }], told: new Map(), at: T0 });
    expect(ids(opened)).toEqual(['C-1:incident-notice:1']);
    const at = T0 + 30 * 60_000;
    const grown = planNotices({
      state: incident({ status: 'identified', statusChangedAt: at, scopeVersion: 2 }),
      affected: [
        { id: 'C-1', effect: 'outage' },
        { id: 'C-2', effect: 'degraded' },
      ],
      told: told({ 'C-1': [{ kind: 'incident-notice', version: 1 }] }),
      at,
    });
    expect(ids(grown).sort()).toEqual([`C-1:incident-update:${at}`, 'C-2:incident-notice:2']);
    const resolved = planNotices({
      state: incident({ status: 'resolved' }),
      affected: [],
      told: told({ 'C-1': [{ kind: 'incident-notice', version: 1 }], 'C-2': [{ kind: 'incident-notice', version: 2 }] }),
      at,
    });
    expect(ids(resolved)).toEqual(['C-1:incident-resolved:1', 'C-2:incident-resolved:1']);
  });

  it('a held subject plans nothing', () => {
    expect(planNotices({ state: change({ opened: false }), affected: [{ id: 'C-1', effect: 'outage' }], told: new Map(), at: T0 })).toEqual([]);
  });

  it('scheduled kinds: reminders only while scheduled, to customers told about it, once per version', () => {
    const history = told({
      'C-1': [{ kind: 'change-notice', version: 1 }],
      'C-2': [
        { kind: 'change-notice', version: 1 },
        { kind: 'reminder', version: 1024 },
      ],
    });
    const affected = [
      { id: 'C-1', effect: 'outage' as const },
      { id: 'C-2', effect: 'outage' as const },
      { id: 'C-3', effect: 'outage' as const },
    ];
    expect(ids(planScheduled('reminder', change(), affected, history, 1024))).toEqual(['C-1:reminder:1024']);
    expect(planScheduled('reminder', change({ status: 'cancelled' }), affected, history, 1024)).toEqual([]);
    expect(ids(planScheduled('change-overrun', change({ status: 'started' }), affected, history, 1))).toEqual(['C-1:change-overrun:1', 'C-2:change-overrun:1']);
  });
});
