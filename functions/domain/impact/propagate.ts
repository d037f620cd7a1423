/**
 * Effect propagation over the dependency graph, exactly as DESIGN section 5: the least fixpoint of
 * effect(n) = max(direct(n), contrib(entry) for each dependsOn entry), where a hard entry passes the
 * effect on, a soft entry caps it at degraded, and an anyOf group takes the min over its members.
 */
import { maxEffect, minEffect } from '../effects.ts';
import type { AssessedTouchpoint, Dependency, Effect, Graph, NodeId, NodeImpact, NotifyChannel } from '../model.ts';

export type Topology = Pick<Graph, 'components' | 'touchpoints' | 'notificationChannels'>;

export interface Propagation {
  /** Every node with an effect above none. */
  effects: Map<NodeId, Effect>;
  /** One shortest chain from an impacted subject node to each impacted touchpoint. */
  paths: Map<NodeId, NodeId[]>;
  /** Impacted nodes that are not in the graph (kept and reported, never dropped). */
  unknownNodes: NodeId[];
  channelEffects: Map<NotifyChannel, Effect>;
  /** Impacted touchpoints, sorted by id. */
  touchpoints: AssessedTouchpoint[];
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The contribution of one dependsOn entry given the current effects. */
export const contribution = (dep: Dependency, effectOf: (id: NodeId) => Effect): Effect => {
  const raw = dep.kind === 'node' ? effectOf(dep.id) : dep.ids.map(effectOf).reduce(minEffect, 'outage' as Effect);
  return dep.soft ? minEffect(raw, 'degraded') : raw;
};

/**
 * Reverse edges (dependency -> dependents) with the entry index, cached per topology object: the
 * topology of a stored graph version is reused for many assessments.
 */
interface ReverseEdge {
  dependent: NodeId;
  entry: Dependency;
}
const reverseCache = new WeakMap<Topology, Map<NodeId, ReverseEdge[]>>();

const reverseEdges = (topology: Topology): Map<NodeId, ReverseEdge[]> => {
  let reverse = reverseCache.get(topology);
  if (reverse) return reverse;
  reverse = new Map();
  for (const node of [...topology.components.values(), ...topology.touchpoints.values()]) {
    for (const entry of node.dependsOn) {
      for (const member of entry.kind === 'node' ? [entry.id] : entry.ids) {
        let list = reverse.get(member);
        if (!list) reverse.set(member, (list = []));
        list.push({ dependent: node.id, entry });
      }
    }
  }
  for (const list of reverse.values()) list.sort((a, b) => byId(a.dependent, b.dependent));
  reverseCache.set(topology, reverse);
  return reverse;
};

export const propagate = (topology: Topology, impacts: readonly NodeImpact[]): Propagation => {
  const nodeOf = (id: NodeId) => topology.components.get(id) ?? topology.touchpoints.get(id);
  const direct = new Map<NodeId, Effect>();
  const unknown = new Set<NodeId>();
  for (const { node, effect } of impacts) {
    if (!nodeOf(node)) unknown.add(node);
    else if (effect !== 'none') direct.set(node, maxEffect(direct.get(node) ?? 'none', effect));
  }

  // Worklist: effects only rise and there are three levels, so this reaches the least fixpoint.
  const effects = new Map(direct);
  const effectOf = (id: NodeId): Effect => effects.get(id) ?? 'none';
  const reverse = reverseEdges(topology);
  const work = [...direct.keys()];
  while (work.length > 0) {
    const changed = work.pop()!;
    for (const { dependent } of reverse.get(changed) ?? []) {
      const node = nodeOf(dependent)!;
      let next = direct.get(dependent) ?? 'none';
      for (const entry of node.dependsOn) next = maxEffect(next, contribution(entry, effectOf));
      if (next !== effectOf(dependent) && maxEffect(next, effectOf(dependent)) === next) {
        effects.set(dependent, next);
        work.push(dependent);
      }
    }
  }

  const parents = shortestChains(direct, effects, reverse, effectOf);
  const paths = new Map<NodeId, NodeId[]>();
  const touchpoints: AssessedTouchpoint[] = [];
  for (const [id, effect] of effects) {
    const touchpoint = topology.touchpoints.get(id);
    if (!touchpoint) continue;
    const path = [id];
    for (let at = parents.get(id); at !== undefined; at = parents.get(at)) path.unshift(at);
    paths.set(id, path);
    touchpoints.push({ id, channel: touchpoint.channel, effect, path });
  }
  touchpoints.sort((a, b) => byId(a.id, b.id));

  const channelEffects = new Map<NotifyChannel, Effect>();
  for (const def of topology.notificationChannels.values()) {
    const effect = def.dependsOn.reduce<Effect>((acc, entry) => maxEffect(acc, contribution(entry, effectOf)), 'none');
    channelEffects.set(def.channel, effect);
  }

  return { effects, paths, unknownNodes: [...unknown].sort(byId), channelEffects, touchpoints };
};

/**
 * Breadth-first search from the directly impacted nodes along edges that carry an effect (the
 * dependent is impacted and the entry's contribution is above none). Sources and dependents are
 * visited in id order, so the chain chosen among equally short ones is the one that is first by id.
 */
const shortestChains = (
  direct: Map<NodeId, Effect>,
  effects: Map<NodeId, Effect>,
  reverse: Map<NodeId, ReverseEdge[]>,
  effectOf: (id: NodeId) => Effect,
): Map<NodeId, NodeId> => {
  const parents = new Map<NodeId, NodeId>();
  const seen = new Set<NodeId>();
  let frontier = [...direct.keys()].sort(byId);
  for (const id of frontier) seen.add(id);
  while (frontier.length > 0) {
    const next: NodeId[] = [];
    for (const id of frontier) {
      for (const { dependent, entry } of reverse.get(id) ?? []) {
        if (seen.has(dependent) || !effects.has(dependent) || contribution(entry, effectOf) === 'none') continue;
        seen.add(dependent);
        parents.set(dependent, id);
        next.push(dependent);
      }
    }
    frontier = next;
  }
  return parents;
};
