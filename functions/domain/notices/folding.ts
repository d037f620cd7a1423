/**
 * Incidents inside an announced change window on the same nodes are folded into the change: the
 * customers told of the change already know why things fail, so they get no incident notice or
 * update; everyone else affected does.
 */
import type { SubjectState, Window } from '../model.ts';
import { isClosed } from '../subject.ts';
import type { NoticeKind } from './kinds.ts';
import type { PlannedNotice } from './planning.ts';

/** A live change whose window covers the incident's start: the cheap test, on subject summaries too. */
export const coversIncidentStart = (change: { type: SubjectState['type']; status: SubjectState['status']; window: Window }, incidentStart: number): boolean =>
  change.type === 'change' &&
  !isClosed(change.status) &&
  change.window.start <= incidentStart &&
  (change.window.end === undefined || incidentStart < change.window.end);

/** The change covers the incident's start and names every node the incident names. */
export const foldsIntoChange = (
  incident: Pick<SubjectState, 'impacts' | 'window'>,
  change: Pick<SubjectState, 'impacts' | 'window' | 'status' | 'type'>,
): boolean => {
  if (!coversIncidentStart(change, incident.window.start)) return false;
  const nodes = new Set(change.impacts.map((i) => i.node));
  return incident.impacts.length > 0 && incident.impacts.every((i) => nodes.has(i.node));
};

/** What a customer told of a covering change is spared; the resolution still reaches whoever was told of the incident. */
export const FOLDED_KINDS: readonly NoticeKind[] = ['incident-notice', 'incident-update'];

/** The plan without the notices of customers told of a covering change (see customersTold). */
export const foldIntoCoveringChanges = (plan: readonly PlannedNotice[], toldOfChange: ReadonlySet<string>): { plan: PlannedNotice[]; folded: number } => {
  const kept = plan.filter((n) => !(toldOfChange.has(n.customerId) && FOLDED_KINDS.includes(n.kind)));
  return { plan: kept, folded: plan.length - kept.length };
};
