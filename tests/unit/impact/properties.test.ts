import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assess, propagate } from '../../../functions/domain/impact/index.ts';
import { effectRank } from '../../../functions/domain/effects.ts';
import type { Dependency, Graph, NodeImpact } from '../../../functions/domain/model.ts';
import { openChange } from '../../support/graphs.ts';

/** A random estate: n components, each depending on earlier or later ones (cycles allowed), some touchpoints, customers. */
const estates = (softOnly: boolean) =>
  fc
    .record({
      n: fc.integer({ min: 2, max: 12 }),
      edges: fc.array(fc.record({ from: fc.nat(), to: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), soft: fc.boolean(), any: fc.boolean() }), {
        maxLength: 30,
      }),
      usages: fc.array(fc.record({ c: fc.nat(20), t: fc.nat(), from: fc.option(fc.nat(10)), len: fc.integer({ min: 1, max: 5 }) }), { maxLength: 40 }),
    })
    .map(({ n, edges, usages }): Graph => {
      const ids = Array.from({ length: n }, (_, i) => `n${i}`);
      const deps = new Map<string, Dependency[]>(ids.map((id) => [id, []]));
      for (const e of edges) {
        const members = [...new Set(e.to.map((t) => ids[t % n]))];
        const soft = softOnly || e.soft;
        deps.get(ids[e.from % n])!.push(e.any && members.length > 1 ? { kind: 'anyOf', ids: members, soft } : { kind: 'node', id: members[0], soft });
      }
      const tps = ids.filter((_, i) => i % 3 === 0);
      const graph: Graph = {
        components: new Map(),
        touchpoints: new Map(),
        notificationChannels: new Map(),
        customers: new Map(),
        usagesByTouchpoint: new Map(),
      };
      for (const id of ids) {
        if (tps.includes(id)) graph.touchpoints.set(id, { id, channel: 'web', dependsOn: deps.get(id)! });
        else graph.components.set(id, { id, dependsOn: deps.get(id)! });
      }
      for (const u of usages) {
        const touchpoint = tps[u.t % tps.length];
        const customerId = `C-${u.c}`;
        graph.customers.set(customerId, { id: customerId, contacts: { email: 'x@example.com' }, channels: ['email'], optOut: false });
        const list = graph.usagesByTouchpoint.get(touchpoint) ?? [];
        list.push({ customerId, touchpoint, ...(u.from !== null ? { from: u.from * 3_600_000, to: (u.from + u.len) * 3_600_000 } : {}) });
        graph.usagesByTouchpoint.set(touchpoint, list);
      }
      return graph;
    });

const impactsArb = fc.array(fc.record({ i: fc.nat(), effect: fc.constantFrom('degraded' as const, 'outage' as const) }), { minLength: 1, maxLength: 4 });
const toImpacts = (graph: Graph, raw: { i: number; effect: NodeImpact['effect'] }[]): NodeImpact[] => {
  const ids = [...graph.components.keys(), ...graph.touchpoints.keys()].sort();
  return raw.map(({ i, effect }) => ({ node: ids[i % ids.length], effect }));
};

describe('impact properties', () => {
  it('adding an impact never shrinks the affected set nor lowers any effect', () => {
    fc.assert(
      fc.property(estates(false), impactsArb, impactsArb, (graph, first, extra) => {
        const window = { start: 2 * 3_600_000, end: 6 * 3_600_000 };
        const before = assess(graph, openChange(toImpacts(graph, first), window));
        const after = assess(graph, openChange([...toImpacts(graph, first), ...toImpacts(graph, extra)], window));
        const afterById = new Map(after.customers.map((c) => [c.id, c]));
        for (const c of before.customers) {
          expect(afterById.has(c.id)).toBe(true);
          expect(effectRank(afterById.get(c.id)!.effect)).toBeGreaterThanOrEqual(effectRank(c.effect));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('soft entries never yield outage: with only soft edges, only directly impacted nodes can be in outage', () => {
    fc.assert(
      fc.property(estates(true), impactsArb, (graph, raw) => {
        const impacts = toImpacts(graph, raw);
        const p = propagate(graph, impacts);
        const directOutage = new Set(impacts.filter((i) => i.effect === 'outage').map((i) => i.node));
        for (const [id, effect] of p.effects) if (effect === 'outage') expect(directOutage.has(id)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('every impacted touchpoint has a path from a directly impacted node whose links are real dependencies', () => {
    fc.assert(
      fc.property(estates(false), impactsArb, (graph, raw) => {
        const impacts = toImpacts(graph, raw);
        const p = propagate(graph, impacts);
        for (const t of p.touchpoints) {
          expect(impacts.map((i) => i.node)).toContain(t.path[0]);
          expect(t.path.at(-1)).toBe(t.id);
          for (let k = 1; k < t.path.length; k++) {
            const node = graph.components.get(t.path[k]) ?? graph.touchpoints.get(t.path[k])!;
            expect(node.dependsOn.some((d) => (d.kind === 'node' ? d.id === t.path[k - 1] : d.ids.includes(t.path[k - 1])))).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
