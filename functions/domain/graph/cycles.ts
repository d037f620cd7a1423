import type { Graph, NodeId } from '../model.ts';

type Topology = Pick<Graph, 'components' | 'touchpoints'>;

/**
 * The dependency cycles of a graph (strongly connected components with more than one node, or a
 * self-dependency), each as a list of node ids starting at its smallest id. Tarjan's algorithm,
 * iterative so that deep estates cannot overflow the stack.
 */
export const findCycles = (topology: Topology): NodeId[][] => {
  const edges = new Map<NodeId, NodeId[]>();
  for (const node of [...topology.components.values(), ...topology.touchpoints.values()]) {
    edges.set(node.id, node.dependsOn.flatMap((d) => (d.kind === 'node' ? [d.id] : d.ids)).filter((id) => id !== undefined));
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
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : 1));
};
