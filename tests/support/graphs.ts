import { stringify } from 'yaml';
import { parseGraphDocuments } from '../../functions/domain/graph/index.ts';
import { initialSubject } from '../../functions/domain/subject.ts';
import type { Graph, NodeImpact, SubjectState, Window } from '../../functions/domain/model.ts';

/** A graph from a plain object in the graph file format (DESIGN section 4). */
export const graphOf = (doc: Record<string, unknown>): Graph => parseGraphDocuments([{ file: 'test.yaml', text: stringify(doc) }]).graph;

export const openChange = (impacts: NodeImpact[], window: Window, id = 'CHG-1'): SubjectState => ({
  ...initialSubject('change', id),
  opened: true,
  status: 'scheduled',
  impacts,
  window,
  scopeVersion: 1,
  eventCount: 1,
});
