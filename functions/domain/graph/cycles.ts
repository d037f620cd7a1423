import type { Graph, NodeId } from '../model.ts';

type Topology = Pick<Graph, 'components' | 'touchpoints'>;

/** A dependency cycle: `path` follows dependsOn edges from its smallest id back to it (not repeated). */
export interface DependencyCycle {
  path: NodeId[];
  /** Other nodes of the same strongly connected group, which lie on further cycles through the path. */
  others: NodeId[];
}

/**
 * The shortest cycle from `start` back to it along edges inside `group` (breadth-first, successors
 * in id order, so the answer does not depend on file order).
 */
const shortestCycle = (start: NodeId, group: ReadonlySet<NodeId>, edges: ReadonlyMap<NodeId, NodeId[]>): NodeId[] => {
  const parent = new Map<NodeId, NodeId>();
  const queue: NodeId[] = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (const next of [...new Set(edges.get(node) ?? [])].sort()) {
      if (!group.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0])!);
        return path;
      }
      if (!parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start]; // unreachable for a strongly connected group
};

/**
 * The dependency cycles of a graph, one per strongly connected group with more than one node (or a
 * self-dependency): the shortest cycle through the group's smallest id, written along the dependsOn
 * edges, and the group's other members. Tarjan's algorithm, iterative so that deep estates cannot
 * overflow the stack.
 */
export const findCycles = (topology: Topology): DependencyCycle[] => {
  const groups = stronglyConnectedGroups(topology);
  return groups.groups.map((members) => {
    const path = shortestCycle(members[0], new Set(members), groups.edges);
    const onPath = new Set(path);
    return { path, others: members.filter((m) => !onPath.has(m)) };
  });
};

const stronglyConnectedGroups = (topology: Topology): { groups: NodeId[][]; edges: Map<NodeId, NodeId[]> } => {
  const edges = new Map<NodeId, NodeId[]>();
  for (const node of [...topology.components.values(), ...topology.touchpoints.values()]) {
    edges.set(
      node.id,
      node.dependsOn.flatMap((d) => (d.kind === 'node' ? [d.id] : d.ids)).filter((id) => id !== undefined),
    );
  }
  const index = new Map<NodeId, number>();
  const low = new Map<NodeId, number>();
  const onStack = new Set<NodeId>();
  const stack: NodeId[] = [];
  const cycles: NodeId[][] = [];
  let counter = 0;
  for (const root of [...edges.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: NodeId; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = (edges.get(frame.node) ?? []).filter((t) => edges.has(t));
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const members: NodeId[] = [];
        let member: NodeId;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          members.push(member);
        } while (member !== frame.node);
        const selfLoop = members.length === 1 && (edges.get(members[0]) ?? []).includes(members[0]);
        if (members.length > 1 || selfLoop) cycles.push(members.sort());
      }
    }
  }
  return { groups: cycles.sort((a, b) => (a[0] < b[0] ? -1 : 1)), edges };
};
