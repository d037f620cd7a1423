/**
 * The open incidents: GET /incidents (open, the default) and GET /touchpoints read the incidents not
 * resolved yet, not every incident and change of the history (issue 12, section 3).
 *
 * Mechanism: one small item per open incident in a partition of its own (`incidents#open`, sk the
 * subject key), carrying the list's fields and the effect on each touchpoint the incident hits, so the
 * incidents list and the touchpoints' status read nothing more.
 *
 * Guarantees: Projections.putSubject writes the item in one transaction with the incident's state and
 * list item, conditional on the state's version as read just before, and deletes it in that transaction
 * when the incident resolves: a late older version (open) finds the newer one stored and writes nothing,
 * so it never brings a resolved incident back.
 *
 * Limits: `status=all` and `status=resolved` read every incident of the `subjects` partition (each one
 * read is listed for `all`; `resolved` reads the open ones beside). A store projected before this has no
 * items: a marker item says the index was built, and until it exists the first reader builds it once from
 * the incidents of the `subjects` partition and each open one's state.
 */
import { matchesIncidentFilter } from '../domain/support.ts';
import type { SubjectState } from '../domain/model.ts';

export const OPEN_INCIDENTS_PK = 'incidents#open';
/** Present once the index holds every open incident (written by the first build). */
export const INCIDENT_INDEX_MARKER = { pk: 'incidents#index', sk: 'built' } as const;

/** The key of an incident's item while it is open. */
export const openIncidentKey = (subjectKey: string) => ({ pk: OPEN_INCIDENTS_PK, sk: subjectKey });

/** Whether an incident in this state belongs in the index: the rule of GET /incidents' default filter. */
export const isOpenIncident = (state: Pick<SubjectState, 'type' | 'status'>): boolean =>
  state.type === 'incident' && matchesIncidentFilter('open', state.status);
