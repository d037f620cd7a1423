/**
 * Subject folding (DESIGN section 6): the state of a change or an incident is a left fold of its
 * events in (occurredAt, eventId) order, with duplicate eventIds ignored, so any arrival order of the
 * same events gives the same state.
 */
import type { ImpactEvent } from './events/parse.ts';
import type { NodeImpact, SubjectState, SubjectType, Window } from './model.ts';

export const subjectKey = (event: Pick<ImpactEvent, 'subjectType' | 'subjectId'>): string =>
  `${event.subjectType}#${event.subjectId}`;

export const initialSubject = (type: SubjectType, id: string): SubjectState => ({
  type,
  id,
  opened: false,
  status: 'pending',
  window: { start: 0 },
  impacts: [],
  scopeVersion: 0,
  eventCount: 0,
});

/** Statuses after which a subject affects nobody any more (a failed change may still be in its window). */
export const CLOSED_STATUSES = ['cancelled', 'completed', 'resolved'] as const satisfies readonly SubjectState['status'][];

export const isClosed = (status: SubjectState['status']): boolean => (CLOSED_STATUSES as readonly string[]).includes(status);

/** Live at `now`: not closed, and its window (`end` of it; none = open-ended) not over yet. */
export const isLive = (subject: { status: SubjectState['status']; end?: number }, now: number): boolean =>
  !isClosed(subject.status) && (subject.end === undefined || subject.end > now);

/** The canonical order of a subject's events; ties on time are broken by eventId. */
export const compareEvents = (a: ImpactEvent, b: ImpactEvent): number =>
  a.occurredAt - b.occurredAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

const toImpacts = (impacts: { node: string; effect?: NodeImpact['effect'] }[]): NodeImpact[] =>
  impacts
    .map((i) => ({ node: i.node, effect: i.effect ?? 'outage' }))
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : a.effect < b.effect ? -1 : 1));

const sameImpacts = (a: NodeImpact[], b: NodeImpact[]): boolean =>
  a.length === b.length && a.every((x, i) => x.node === b[i].node && x.effect === b[i].effect);

const sameWindow = (a: Window, b: Window): boolean => a.start === b.start && a.end === b.end;

/** Replaces scope (window, impacts) and bumps scopeVersion only when it really changed. */
const withScope = (state: SubjectState, window: Window, impacts: NodeImpact[]): SubjectState => {
  const changed = !state.opened || !sameWindow(state.window, window) || !sameImpacts(state.impacts, impacts);
  return changed ? { ...state, window, impacts, scopeVersion: state.scopeVersion + 1 } : state;
};

const withStatus = (state: SubjectState, status: SubjectState['status'], at: number): SubjectState =>
  state.status === status ? state : { ...state, status, statusChangedAt: at };

const ms = (iso: string): number => Date.parse(iso);

/** Applies one event; callers fold in compareEvents order (see foldSubject). */
export const evolve = (state: SubjectState, event: ImpactEvent): SubjectState => {
  const at = event.occurredAt;
  const next = { ...state, eventCount: state.eventCount + 1, lastEventId: event.eventId, lastOccurredAt: at };
  switch (event.detailType) {
    case 'Change Scheduled': {
      const d = event.detail;
      const scoped = withScope(next, { start: ms(d.window.start), end: ms(d.window.end) }, toImpacts(d.impacts));
      const opened: SubjectState = {
        ...scoped,
        opened: true,
        title: d.title,
        ...(d.team !== undefined ? { team: d.team } : {}),
        ...(d.risk !== undefined ? { risk: d.risk } : {}),
        ...(d.customerMessage !== undefined ? { customerMessage: d.customerMessage } : {}),
      };
      return state.status === 'pending' ? withStatus(opened, 'scheduled', at) : opened;
    }
    case 'Change Updated': {
      const d = event.detail;
      const window = d.window ? { start: ms(d.window.start), end: ms(d.window.end) } : next.window;
      const impacts = d.impacts ? toImpacts(d.impacts) : next.impacts;
      // A held subject keeps what it learns but its scope version starts with the opening event.
      const scoped = next.opened ? withScope(next, window, impacts) : { ...next, window, impacts };
      return {
        ...scoped,
        ...(d.title !== undefined ? { title: d.title } : {}),
        ...(d.customerMessage !== undefined ? { customerMessage: d.customerMessage } : {}),
      };
    }
    case 'Change Cancelled':
      return {
        ...withStatus(next, 'cancelled', at),
        cancelledAt: at,
        ...(event.detail.reason !== undefined ? { note: event.detail.reason } : {}),
      };
    case 'Change Started':
      return { ...withStatus(next, 'started', at), startedAt: at, ...noteOf(event.detail) };
    case 'Change Completed':
      return { ...withStatus(next, 'completed', at), completedAt: at, ...noteOf(event.detail) };
    case 'Change Failed':
      return { ...withStatus(next, 'failed', at), ...noteOf(event.detail) };
    case 'Incident Opened': {
      const d = event.detail;
      const startedAt = d.startedAt !== undefined ? ms(d.startedAt) : at;
      const end = next.resolvedAt !== undefined && next.resolvedAt > at ? next.resolvedAt : undefined;
      const scoped = withScope(next, end !== undefined ? { start: startedAt, end } : { start: startedAt }, toImpacts(d.impacts));
      const status = end !== undefined ? 'resolved' : 'open';
      return {
        ...withStatus(scoped, status, at),
        opened: true,
        title: d.title,
        severity: d.severity,
        startedAt,
        ...(end === undefined ? { resolvedAt: undefined } : {}),
        ...(d.customerMessage !== undefined ? { customerMessage: d.customerMessage } : {}),
      };
    }
    case 'Incident Updated': {
      const d = event.detail;
      const impacts = d.impacts ? toImpacts(d.impacts) : next.impacts;
      const scoped = next.opened ? withScope(next, next.window, impacts) : { ...next, impacts };
      const moved = d.status !== undefined && next.status !== 'resolved' ? withStatus(scoped, d.status, at) : scoped;
      return {
        ...moved,
        ...(d.severity !== undefined ? { severity: d.severity } : {}),
        ...(d.customerMessage !== undefined ? { customerMessage: d.customerMessage } : {}),
      };
    }
    case 'Incident Resolved': {
      const d = event.detail;
      const resolvedAt = d.resolvedAt !== undefined ? ms(d.resolvedAt) : at;
      // The window closes at resolution; an end before the start would be an empty window.
      const end = Math.max(resolvedAt, next.window.start);
      return {
        ...withStatus(next, 'resolved', at),
        window: next.opened ? { start: next.window.start, end } : next.window,
        resolvedAt: end,
        ...(d.customerMessage !== undefined ? { customerMessage: d.customerMessage } : {}),
      };
    }
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
    }
  }
};

const noteOf = (detail: { note?: string }) => (detail.note !== undefined ? { note: detail.note } : {});

/** Sorts and de-duplicates a subject's events into the order they are folded in. */
export const canonicalHistory = (events: readonly ImpactEvent[]): ImpactEvent[] => {
  const seen = new Set<string>();
  return [...events].sort(compareEvents).filter((e) => (seen.has(e.eventId) ? false : (seen.add(e.eventId), true)));
};

/** Folds all events of ONE subject; throws when events of several subjects are mixed. */
export const foldSubject = (events: readonly ImpactEvent[]): SubjectState => {
  if (events.length === 0) throw new Error('foldSubject needs at least one event of the subject');
  const key = subjectKey(events[0]);
  const stranger = events.find((e) => subjectKey(e) !== key);
  if (stranger) throw new Error(`foldSubject got events of ${key} and ${subjectKey(stranger)}; fold one subject at a time`);
  return canonicalHistory(events).reduce(evolve, initialSubject(events[0].subjectType, events[0].subjectId));
};
