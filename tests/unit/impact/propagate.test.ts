import { describe, expect, it } from 'vitest';
import { propagate } from '../../../functions/domain/impact/index.ts';
import type { NodeImpact } from '../../../functions/domain/model.ts';
import { graphOf } from '../../support/graphs.ts';

const effectsAfter = (doc: Record<string, unknown>, impacts: NodeImpact[]) => {
  const p = propagate(graphOf(doc), impacts);
  return Object.fromEntries([...p.effects].sort(([a], [b]) => (a < b ? -1 : 1)));
};
const out = (node: string): NodeImpact => ({ node, effect: 'outage' });
const deg = (node: string): NodeImpact => ({ node, effect: 'degraded' });

describe('propagate: DESIGN section 5, rule by rule', () => {
  it('a hard dependency passes the effect on unchanged', () => {
    const doc = { components: [{ id: 'db' }, { id: 'api', dependsOn: ['db'] }] };
    expect(effectsAfter(doc, [out('db')])).toEqual({ db: 'outage', api: 'outage' });
    expect(effectsAfter(doc, [deg('db')])).toEqual({ db: 'degraded', api: 'degraded' });
  });

  it('a soft dependency caps the effect at degraded', () => {
    const doc = { components: [{ id: 'loyalty' }, { id: 'app', dependsOn: [{ id: 'loyalty', type: 'soft' }] }, { id: 'ui', dependsOn: ['app'] }] };
    expect(effectsAfter(doc, [out('loyalty')])).toEqual({ loyalty: 'outage', app: 'degraded', ui: 'degraded' });
  });

  it('anyOf fails only when every member fails; otherwise it takes the least affected member', () => {
    const doc = { components: [{ id: 'dcs-a' }, { id: 'dcs-b' }, { id: 'checkin', dependsOn: [{ anyOf: ['dcs-a', 'dcs-b'] }] }] };
    expect(effectsAfter(doc, [out('dcs-a')])).toEqual({ 'dcs-a': 'outage' });
    expect(effectsAfter(doc, [out('dcs-a'), deg('dcs-b')])).toEqual({ 'dcs-a': 'outage', 'dcs-b': 'degraded', checkin: 'degraded' });
    expect(effectsAfter(doc, [out('dcs-a'), out('dcs-b')])).toEqual({ 'dcs-a': 'outage', 'dcs-b': 'outage', checkin: 'outage' });
  });

  it('a soft anyOf group is min over members, then capped at degraded', () => {
    const doc = { components: [{ id: 'a' }, { id: 'b' }, { id: 'n', dependsOn: [{ anyOf: ['a', 'b'], type: 'soft' }] }] };
    expect(effectsAfter(doc, [out('a'), out('b')])).toEqual({ a: 'outage', b: 'outage', n: 'degraded' });
    expect(effectsAfter(doc, [out('a')])).toEqual({ a: 'outage' });
  });

  it('the node takes the max of its direct effect and what its entries contribute', () => {
    const doc = { components: [{ id: 'db' }, { id: 'api', dependsOn: ['db'] }] };
    expect(effectsAfter(doc, [out('db'), deg('api')])).toEqual({ db: 'outage', api: 'outage' });
    expect(effectsAfter(doc, [deg('db'), out('api')])).toEqual({ db: 'degraded', api: 'outage' });
    expect(effectsAfter(doc, [deg('api'), out('api')])).toEqual({ api: 'outage' });
  });

  it('cycles reach the least fixpoint: a cycle nobody impacts stays none, an impacted one spreads round it', () => {
    const doc = {
      components: [
        { id: 'a', dependsOn: ['b'] },
        { id: 'b', dependsOn: ['a'] },
        { id: 'x' },
        { id: 'c', dependsOn: ['x', { id: 'a', type: 'soft' }] },
        { id: 'd', dependsOn: ['c'] },
      ],
    };
    expect(effectsAfter(doc, [out('x')])).toEqual({ x: 'outage', c: 'outage', d: 'outage' });
    expect(effectsAfter(doc, [deg('b')])).toEqual({ a: 'degraded', b: 'degraded', c: 'degraded', d: 'degraded' });
  });

  it('an effect of none impacts nothing', () => {
    expect(effectsAfter({ components: [{ id: 'db' }, { id: 'api', dependsOn: ['db'] }] }, [{ node: 'db', effect: 'none' }])).toEqual({});
  });

  it('unknown impacted nodes are kept and reported, sorted and once', () => {
    const p = propagate(graphOf({ components: [{ id: 'db' }] }), [out('zz'), out('db'), out('aa'), deg('zz')]);
    expect(p.unknownNodes).toEqual(['aa', 'zz']);
    expect([...p.effects.keys()]).toEqual(['db']);
  });

  it('touchpoints carry one shortest path from an impacted subject node', () => {
    const doc = {
      components: [
        { id: 'db' },
        { id: 'svc-long1', dependsOn: ['db'] },
        { id: 'svc-long2', dependsOn: ['svc-long1'] },
        { id: 'api', dependsOn: ['db'] },
        { id: 'net' },
      ],
      touchpoints: [
        { id: 'web', channel: 'web', dependsOn: ['svc-long2', 'api'] },
        { id: 'kiosk', channel: 'kiosk', dependsOn: ['net', 'svc-long1'] },
        { id: 'ivr', channel: 'ivr' },
      ],
    };
    const p = propagate(graphOf(doc), [out('db'), out('net'), out('ivr')]);
    expect(p.touchpoints).toEqual([
      { id: 'ivr', channel: 'ivr', effect: 'outage', path: ['ivr'] },
      { id: 'kiosk', channel: 'kiosk', effect: 'outage', path: ['net', 'kiosk'] },
      { id: 'web', channel: 'web', effect: 'outage', path: ['db', 'api', 'web'] },
    ]);
  });

  it('the path goes only through edges that carry the effect (not through the surviving member of a pair)', () => {
    const doc = {
      components: [{ id: 'dcs-a' }, { id: 'dcs-b' }, { id: 'dcs', dependsOn: [{ anyOf: ['dcs-a', 'dcs-b'] }] }, { id: 'seatmap' }],
      touchpoints: [{ id: 'kiosk', channel: 'kiosk', dependsOn: ['dcs', { id: 'seatmap', type: 'soft' }] }],
    };
    const p = propagate(graphOf(doc), [out('dcs-a'), out('seatmap')]);
    expect(p.touchpoints).toEqual([{ id: 'kiosk', channel: 'kiosk', effect: 'degraded', path: ['seatmap', 'kiosk'] }]);
  });

  it('notification channels get effects from their dependsOn the same way', () => {
    const doc = {
      components: [{ id: 'sms-gw' }, { id: 'relay-a' }, { id: 'relay-b' }],
      notificationChannels: [
        { channel: 'sms', dependsOn: ['sms-gw'] },
        { channel: 'email', dependsOn: [{ anyOf: ['relay-a', 'relay-b'] }] },
        { channel: 'push' },
      ],
    };
    const p = propagate(graphOf(doc), [out('sms-gw'), out('relay-a')]);
    expect(Object.fromEntries(p.channelEffects)).toEqual({ sms: 'outage', email: 'none', push: 'none' });
  });
});
