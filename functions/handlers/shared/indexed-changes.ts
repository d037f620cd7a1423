/** Reads of the changes index shared by the API, assess and the planner. */
import type { GraphStore } from '../../adapters/graph-store.ts';
import type { IndexedChange, Projections } from '../../adapters/projections.ts';
import type { Range } from '../../domain/support.ts';

/**
 * The changes whose window may overlap the range, from the changes index (the caller keeps those that
 * do); a store projected before the index gets it built first, with the touchpoints' teams from the graph.
 */
export const changesOverlapping = async (deps: { projections: Projections; graph: Pick<GraphStore, 'topology'> }, range: Range): Promise<IndexedChange[]> => {
  await deps.projections.ensureChangeIndex(async () => (await deps.graph.topology()).topology);
  return deps.projections.changesIn(range);
};

/** The changes whose window may cover the instant `at`: the incident folding rule's candidates. */
export const changesAt = (deps: { projections: Projections; graph: Pick<GraphStore, 'topology'> }, at: number): Promise<IndexedChange[]> =>
  changesOverlapping(deps, { from: at, to: at + 1 });
