import { loadGraph } from '../../functions/adapters/graph-files.ts';
import type { Graph } from '../../functions/domain/model.ts';

const ROOT = new URL('../../examples/airline/', import.meta.url).pathname;

/** The airline example with only its first `count` customers (quick to import into DynamoDB Local). */
export const airlineSample = async (count: number): Promise<Graph> => {
  const { graph } = await loadGraph({ graphFiles: [`${ROOT}graph.yaml`], customersCsv: `${ROOT}customers.csv`, usageCsv: `${ROOT}usage.csv` });
  const keep = new Set([...graph.customers.keys()].slice(0, count));
  return {
    ...graph,
    customers: new Map([...graph.customers].filter(([id]) => keep.has(id))),
    customerList: undefined,
    usagesByTouchpoint: new Map(
      [...graph.usagesByTouchpoint].map(([t, us]) => [t, us.filter((u) => keep.has(u.customerId)).map((u) => ({ ...u, ordinal: undefined }))]),
    ),
  };
};
