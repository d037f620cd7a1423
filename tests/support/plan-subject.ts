/**
 * The reference plan for tests: the notices a subject's state calls for, planned against the ledger with
 * the pure rules of domain/notices (planNotices, foldIntoCoveringChanges, noticeRecipients) over the
 * subject's whole stored impact, in one go. The pipeline plans in customer shards instead
 * (handlers/plan.ts) and keeps a draft's preview with its held plan (domain/notices/approval.ts); tests
 * check that the shards agree with this.
 */
import type { CustomerImpact } from '../../functions/adapters/projections.ts';
import type { LedgerEntry } from '../../functions/adapters/ledger.ts';
import type { Topology } from '../../functions/domain/impact/propagate.ts';
import type { Effect, NodeId, SubjectState } from '../../functions/domain/model.ts';
import {
  coversIncidentStart,
  customersTold,
  foldIntoCoveringChanges,
  foldsIntoChange,
  lastTold,
  noticeRecipients,
  planNotices,
  toldByCustomer,
  touchpointNamesOf,
  type JobSource,
  type PlannedNotice,
  type RecipientProfile,
} from '../../functions/domain/notices/index.ts';
import type { Dependencies } from '../../functions/handlers/shared/dependencies.ts';
import { changesAt } from '../../functions/handlers/shared/indexed-changes.ts';

type PlanningDeps = Pick<Dependencies, 'projections' | 'ledger' | 'graph'>;

/** Customers told of a live change that covers this incident (only the reads; the rule is foldsIntoChange). */
const customersToldOfCoveringChanges = async (deps: PlanningDeps, incident: SubjectState): Promise<Set<string>> => {
  const candidates = (await changesAt(deps, incident.window.start)).filter((s) =>
    coversIncidentStart({ ...s, window: { start: s.start, end: s.end } }, incident.window.start),
  );
  const told = new Set<string>();
  for (const candidate of candidates) {
    const change = await deps.projections.getSubject(candidate.subjectKey);
    if (!change || !foldsIntoChange(incident, change.state)) continue;
    for (const id of customersTold(await deps.ledger.sentAbout(candidate.subjectKey), 'change')) told.add(id);
  }
  return told;
};

export interface PlanningInput {
  subjectKey: string;
  state: SubjectState;
  /** Version of the subject's last event. */
  eventVersion: number;
  /** Customers affected now, with the channels their notice may go on. */
  affected: readonly { id: string; effect: Effect; notify: readonly string[]; touchpoints: NodeId[] }[];
  /** profiles[i] belongs to affected[i]. */
  profiles: readonly (RecipientProfile | undefined)[];
  /** The stored impacts before this assessment (customers no longer affected are told where they were). */
  before?: readonly CustomerImpact[];
  /** The touchpoints hit (their names go into the notices). */
  touchpoints: readonly { id: string }[];
  /** When the event being planned for occurred. */
  at: number;
}

export interface SubjectPlan {
  plan: PlannedNotice[];
  /** Notices left out because the customers were told of a covering change. */
  folded: number;
  /** What the ledger says was sent about the subject. */
  sent: LedgerEntry[];
  source: JobSource;
  topology: Topology;
}

export const planSubject = async (deps: PlanningDeps, input: PlanningInput): Promise<SubjectPlan> => {
  const { subjectKey, state } = input;
  const sent = await deps.ledger.sentAbout(subjectKey);
  const planned = planNotices({ state, affected: input.affected, told: toldByCustomer(sent), at: input.at });
  const { plan, folded } =
    state.type === 'incident' ? foldIntoCoveringChanges(planned, await customersToldOfCoveringChanges(deps, state)) : { plan: planned, folded: 0 };
  const { topology } = await deps.graph.topology();
  const told = lastTold(sent);
  const source: JobSource = {
    state,
    subjectKey,
    eventVersion: input.eventVersion,
    touchpointNames: touchpointNamesOf(input.touchpoints, topology),
    customer: noticeRecipients({ affected: input.affected, profiles: input.profiles, before: input.before, sent }),
    told: (id) => told.get(id),
  };
  return { plan, folded, sent, source, topology };
};
