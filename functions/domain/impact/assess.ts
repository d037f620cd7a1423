/** One assessment of a subject against a graph: the `--format json` contract of DESIGN section 5. */
import { affectedCustomers } from './customers.ts';
import { propagate, type Topology } from './propagate.ts';
import type { AssessedCustomer, Assessment, AssessmentSummary, Customer, Graph, NodeId, SubjectState, Usage } from '../model.ts';

/** What an assessment reads: the topology plus usages of impacted touchpoints and customer records. */
export interface GraphView extends Topology {
  usagesOf: (touchpoint: NodeId) => Iterable<Usage>;
  customer: (id: string) => Customer | undefined;
  customerList?: readonly Customer[];
}

export const viewOf = (graph: Graph): GraphView => ({
  components: graph.components,
  touchpoints: graph.touchpoints,
  notificationChannels: graph.notificationChannels,
  usagesOf: (touchpoint) => graph.usagesByTouchpoint.get(touchpoint) ?? [],
  customer: (id) => graph.customers.get(id),
  ...(graph.customerList ? { customerList: graph.customerList } : {}),
});

const count = (into: Record<string, number>, key: string) => {
  into[key] = (into[key] ?? 0) + 1;
};

/**
 * Summary counts over affected customers: byEffect by customer effect, byChannel by the channel the
 * notice goes on, bySegment by segment ("unknown" when absent), unreachable = affected customers we
 * will not notify (no usable channel, or opted out).
 */
export const summarise = (touchpoints: number, customers: readonly AssessedCustomer[], records: readonly (Customer | undefined)[]): AssessmentSummary => {
  const summary: AssessmentSummary = { touchpoints, customers: customers.length, byEffect: {}, byChannel: {}, bySegment: {}, unreachable: 0 };
  customers.forEach((c, i) => {
    count(summary.byEffect, c.effect);
    if (c.notify.length > 0) count(summary.byChannel, c.notify[0]);
    else summary.unreachable++;
    count(summary.bySegment, records[i]?.segment ?? 'unknown');
  });
  return summary;
};

/** Whether a subject's state calls for customers to be assessed at all. */
export const isAssessable = (subject: SubjectState): boolean => subject.opened && subject.status !== 'cancelled';

export interface DetailedAssessment {
  assessment: Assessment;
  /** The record of assessment.customers[i], when known: for notices, support and mail merges. */
  records: (Customer | undefined)[];
}

export const assessDetailed = (view: GraphView, subject: SubjectState): DetailedAssessment => {
  const propagation = propagate(view, subject.impacts);
  const active = isAssessable(subject);
  const touchpoints = active ? propagation.touchpoints : [];
  const { customers, records } = active
    ? affectedCustomers({
        touchpointEffects: new Map(touchpoints.map((t) => [t.id, t.effect])),
        usagesOf: view.usagesOf,
        customer: view.customer,
        channelEffects: propagation.channelEffects,
        window: subject.window,
        ...(view.customerList ? { customerList: view.customerList } : {}),
      })
    : { customers: [], records: [] };
  const window = {
    start: new Date(subject.window.start).toISOString(),
    ...(subject.window.end !== undefined ? { end: new Date(subject.window.end).toISOString() } : {}),
  };
  return {
    assessment: {
      subject: { type: subject.type, id: subject.id, window },
      touchpoints,
      customers,
      unknownNodes: propagation.unknownNodes,
      summary: summarise(touchpoints.length, customers, records),
    },
    records,
  };
};

/** A held (not yet opened) subject or a cancelled change affects nobody. */
export const assess = (graph: Graph, subject: SubjectState): Assessment => assessDetailed(viewOf(graph), subject).assessment;
