import { describe, expect, it } from 'vitest';
import { assess, chooseNoticeChannel, overlaps } from '../../../functions/domain/impact/index.ts';
import type { Customer } from '../../../functions/domain/model.ts';
import { graphOf, openChange } from '../../support/graphs.ts';

const T = (h: number) => Date.parse('2026-12-05T00:00:00Z') + h * 3_600_000;
const iso = (h: number) => new Date(T(h)).toISOString();

const estate = {
  components: [{ id: 'db' }, { id: 'api', dependsOn: ['db'] }, { id: 'sms-gw' }, { id: 'seatmap' }],
  touchpoints: [
    { id: 'web', channel: 'web', dependsOn: ['api'] },
    { id: 'kiosk', channel: 'kiosk', dependsOn: ['api', { id: 'seatmap', type: 'soft' }] },
    { id: 'ivr', channel: 'ivr' },
  ],
  notificationChannels: [{ channel: 'sms', dependsOn: ['sms-gw'] }],
  customers: [
    { id: 'C-3', segment: 'gold', channels: ['sms', 'email'], contacts: { phone: '+31', email: 'c3@example.com' }, uses: ['web'] },
    { id: 'C-1', segment: 'basic', contacts: { email: 'c1@example.com' }, uses: [{ touchpoint: 'kiosk', from: iso(1), to: iso(3) }, 'web'] },
    { id: 'C-2', contacts: { email: 'c2@example.com' }, optOut: true, uses: [{ touchpoint: 'kiosk', from: iso(1), to: iso(3) }] },
    { id: 'C-4', channels: ['push'], contacts: {}, uses: [{ touchpoint: 'kiosk', from: iso(10), to: iso(12) }] },
    { id: 'C-5', contacts: { email: 'c5@example.com' }, uses: ['ivr'] },
  ],
};

describe('affected customers (DESIGN section 5)', () => {
  it('given an outage on db during 02:00-04:00, customers using a hit touchpoint in the window are affected, sorted, with their channel', () => {
    const a = assess(graphOf(estate), openChange([{ node: 'db', effect: 'outage' }], { start: T(2), end: T(4) }));
    expect(a.customers).toEqual([
      { id: 'C-1', effect: 'outage', touchpoints: ['kiosk', 'web'], notify: ['email'] },
      { id: 'C-2', effect: 'outage', touchpoints: ['kiosk'], notify: [] },
      { id: 'C-3', effect: 'outage', touchpoints: ['web'], notify: ['sms'] },
    ]);
    expect(a.summary).toEqual({
      touchpoints: 2,
      customers: 3,
      byEffect: { outage: 3 },
      byChannel: { email: 1, sms: 1 },
      bySegment: { basic: 1, gold: 1, unknown: 1 },
      unreachable: 1,
    });
  });

  it("a customer's effect is the max over their hit usages", () => {
    const a = assess(
      graphOf(estate),
      openChange(
        [
          { node: 'seatmap', effect: 'outage' },
          { node: 'web', effect: 'outage' },
        ],
        { start: T(2), end: T(4) },
      ),
    );
    expect(a.customers.find((c) => c.id === 'C-1')).toEqual({ id: 'C-1', effect: 'outage', touchpoints: ['kiosk', 'web'], notify: ['email'] });
    expect(a.customers.find((c) => c.id === 'C-2')?.effect).toBe('degraded');
  });

  it('usage windows: touching bounds do not overlap, missing bounds are infinite', () => {
    expect(overlaps({ from: T(1), to: T(2) }, { start: T(2), end: T(4) })).toBe(false);
    expect(overlaps({ from: T(4), to: T(5) }, { start: T(2), end: T(4) })).toBe(false);
    expect(overlaps({ from: T(3), to: T(5) }, { start: T(2), end: T(4) })).toBe(true);
    expect(overlaps({}, { start: T(2), end: T(4) })).toBe(true);
    expect(overlaps({ from: T(100) }, { start: T(2) })).toBe(true);
    expect(overlaps({ to: T(1) }, { start: T(2) })).toBe(false);
    // C-2's booking ends at 03:00 and C-4's starts at 10:00: both only touch the window [03:00, 10:00).
    const a = assess(graphOf(estate), openChange([{ node: 'db', effect: 'outage' }], { start: T(3), end: T(10) }));
    expect(a.customers.map((c) => c.id)).toEqual(['C-1', 'C-3']);
    const wider = assess(graphOf(estate), openChange([{ node: 'db', effect: 'outage' }], { start: T(2.5), end: T(10.5) }));
    expect(wider.customers.map((c) => c.id)).toEqual(['C-1', 'C-2', 'C-3', 'C-4']);
  });

  it('a notice is rerouted when the preferred notification channel is itself in outage', () => {
    const a = assess(
      graphOf(estate),
      openChange(
        [
          { node: 'db', effect: 'outage' },
          { node: 'sms-gw', effect: 'outage' },
        ],
        { start: T(2), end: T(4) },
      ),
    );
    expect(a.customers.find((c) => c.id === 'C-3')?.notify).toEqual(['email']);
    const degradedSms = assess(
      graphOf(estate),
      openChange(
        [
          { node: 'db', effect: 'outage' },
          { node: 'sms-gw', effect: 'degraded' },
        ],
        { start: T(2), end: T(4) },
      ),
    );
    expect(degradedSms.customers.find((c) => c.id === 'C-3')?.notify).toEqual(['sms']);
  });

  it('no usable channel or opt-out: still affected, notify empty, counted unreachable', () => {
    const noContact: Customer = { id: 'x', contacts: {}, channels: ['push', 'email'], optOut: false };
    expect(chooseNoticeChannel(noContact, new Map())).toBeUndefined();
    expect(chooseNoticeChannel({ ...noContact, contacts: { email: 'e' }, optOut: true }, new Map())).toBeUndefined();
    expect(chooseNoticeChannel({ ...noContact, contacts: { email: 'e', push: 'p' } }, new Map([['push', 'outage']]))).toBe('email');
  });

  it('a cancelled change and a held subject affect nobody; unknown nodes are still reported', () => {
    const graph = graphOf(estate);
    const change = openChange(
      [
        { node: 'db', effect: 'outage' },
        { node: 'mainframe', effect: 'outage' },
      ],
      { start: T(2), end: T(4) },
    );
    for (const subject of [
      { ...change, status: 'cancelled' as const },
      { ...change, opened: false },
    ]) {
      const a = assess(graph, subject);
      expect([a.touchpoints, a.customers, a.unknownNodes, a.summary.customers]).toEqual([[], [], ['mainframe'], 0]);
    }
  });

  it('the JSON contract: subject with ISO window, sorted lists, end omitted while open-ended', () => {
    const graph = graphOf(estate);
    const incident = { ...openChange([{ node: 'ivr', effect: 'degraded' }], { start: T(0) }, 'INC-1'), type: 'incident' as const, status: 'open' as const };
    expect(assess(graph, incident)).toEqual({
      subject: { type: 'incident', id: 'INC-1', window: { start: iso(0) } },
      touchpoints: [{ id: 'ivr', channel: 'ivr', effect: 'degraded', path: ['ivr'] }],
      customers: [{ id: 'C-5', effect: 'degraded', touchpoints: ['ivr'], notify: ['email'] }],
      unknownNodes: [],
      summary: { touchpoints: 1, customers: 1, byEffect: { degraded: 1 }, byChannel: { email: 1 }, bySegment: { unknown: 1 }, unreachable: 0 },
    });
  });

  it('the join by ordinal (in-memory graphs) and by id (paged stores) give the same customers', () => {
    const graph = graphOf(estate);
    const subject = openChange(
      [
        { node: 'db', effect: 'outage' },
        { node: 'ivr', effect: 'degraded' },
      ],
      { start: T(0), end: T(12) },
    );
    const byOrdinal = assess(graph, subject);
    const byId = assess({ ...graph, customerList: undefined }, subject);
    expect(byOrdinal.customers.length).toBe(5);
    expect(byId).toEqual(byOrdinal);
  });

  it('reads only the usages of impacted touchpoints, never every customer', () => {
    const graph = graphOf(estate);
    const read: string[] = [];
    const usages = graph.usagesByTouchpoint;
    graph.usagesByTouchpoint = new Proxy(usages, {
      get(target, prop) {
        if (prop === 'get') return (k: string) => (read.push(k), target.get(k));
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    assess(graph, openChange([{ node: 'ivr', effect: 'outage' }], { start: T(0), end: T(1) }));
    expect(read).toEqual(['ivr']);
  });
});
