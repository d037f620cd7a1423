/**
 * Subject folding (DESIGN section 6): the state of a change or an incident is a left fold of its
 * events in (occurredAt, eventId) order, with duplicate eventIds ignored, so any arrival order of the
 * same events gives the same state.
 */
import type { ImpactEvent } from './events/parse.ts';
import type { Actor, NodeImpact, SubjectState, SubjectType, Window } from './model.ts';

export const subjectKey = (event: Pick<ImpactEvent, 'subjectType' | 'subjectId'>): string => `${event.subjectType}#${event.subjectId}`;

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
export const CLOSED_STATUSES = ['cancelled', 'completed', 'rolled-back', 'resolved'] as const satisfies readonly SubjectState['status'][];

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

const sameImpacts = (a: NodeImpact[], b: NodeImpact[]): boolean => a.length === b.length && a.every((x, i) => x.node === b[i].node && x.effect === b[i].effect);

const sameWindow = (a: Window, b: Window): boolean => a.start === b.start && a.end === b.end;

/** Replaces scope (window, impacts) and bumps scopeVersion only when it really changed. */
const withScope = (state: SubjectState, window: Window, impacts: NodeImpact[]): SubjectState => {
  const changed = !state.opened || !sameWindow(state.window, window) || !sameImpacts(state.impacts, impacts);
  return changed ? { ...state, window, impacts, scopeVersion: state.scopeVersion + 1 } : state;
};

const withStatus = (state: SubjectState, status: SubjectState['status'], at: number): SubjectState =>
  state.status === status ? state : { ...state, status, statusChangedAt: at };

const ms = (iso: string): number => Date.parse(iso);

/**
 * The version of what a customer told about a subject knows: its scope and its message. It starts at 1
 * with the opening event and equals scopeVersion until a message, an expected restore time or a failure
 * changes what customers are told; change notices, updates and failure notices carry it as their
 * ledger version, so the same state is told once and a new one is told again.
 */
export const toldVersion = (state: Pick<SubjectState, 'scopeVersion' | 'messageVersion'>): number => state.scopeVersion + (state.messageVersion ?? 0);

/** Marks what customers are told as changed (only once the subject is open: before, nobody was told anything). */
const withNews = (state: SubjectState, wasOpen: boolean, at: number): SubjectState =>
  wasOpen ? { ...state, messageVersion: (state.messageVersion ?? 0) + 1, messageChangedAt: at } : state;

/** Applies customerMessage and expectedResolutionAt (null: no longer known), marking news when either really changed. */
const withMessage = (
  state: SubjectState,
  wasOpen: boolean,
  at: number,
  given: { customerMessage?: string; expectedResolutionAt?: string | null },
): SubjectState => {
  let next = state;
  if (given.customerMessage !== undefined) next = { ...next, customerMessage: given.customerMessage };
  if (given.expectedResolutionAt === null) {
    const { expectedResolutionAt: _gone, ...rest } = next;
    next = rest;
  } else if (given.expectedResolutionAt !== undefined) next = { ...next, expectedResolutionAt: ms(given.expectedResolutionAt) };
  const changed = next.customerMessage !== state.customerMessage || next.expectedResolutionAt !== state.expectedResolutionAt;
  return changed ? withNews(next, wasOpen, at) : next;
};

/**
 * The state once its held notices are approved at `at`: the draft is released, and `news` says whether
 * the status or the message changed while it was held (an incident's told customers then get an update).
 */
export const approve = (state: SubjectState, at: number, by?: Actor): SubjectState => {
  const held = state.draft;
  const news = !!held && ((state.statusChangedAt ?? -Infinity) >= held.since || (state.messageChangedAt ?? -Infinity) >= held.since);
  const { draft: _released, ...rest } = state;
  return { ...rest, approved: { at, ...(by ? { by } : {}), news } };
};

/** What an event's `notify` choice and `Notices Approved` record: silence, holds and approvals. */
const withNotifyChoice = (state: SubjectState, event: ImpactEvent): SubjectState => {
  const { notify, actor } = event.detail;
  const at = event.occurredAt;
  if (event.detailType === 'Notices Approved') return approve(state, at, actor);
  if (notify === false) return { ...state, silenced: { toldVersion: toldVersion(state), scopeVersion: state.scopeVersion, status: state.status, at } };
  if (notify === 'draft') return state.draft ? state : { ...state, draft: { since: at, ...(actor ? { by: actor } : {}) } };
  if (notify === true) return { ...state, sendChosen: true };
  return state;
};

/**
 * A failed change keeps hitting what it hit until the service is expected back (or until further
 * notice: open-ended); a rolled-back one stopped hitting anything when it was rolled back.
 */
const failedWindow = (window: Window, at: number, rolledBack: boolean, eta: number | undefined): Window => {
  if (rolledBack) return { start: window.start, end: Math.max(window.start, at) };
  if (eta === undefined) return { start: window.start };
  return { start: window.start, end: Math.max(window.start, window.end ?? eta, eta) };
};

/** Applies one event; callers fold in compareEvents order (see foldSubject). */
export const evolve = (state: SubjectState, event: ImpactEvent): SubjectState => withNotifyChoice(applyFacts(state, event), event);

const applyFacts = (state: SubjectState, event: ImpactEvent): SubjectState => {
  const at = event.occurredAt;
  const next = { ...state, eventCount: state.eventCount + 1, lastEventId: event.eventId, lastOccurredAt: at };
  const wasOpen = state.opened;
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
      };
      const told = withMessage(opened, wasOpen, at, d);
      return state.status === 'pending' ? withStatus(told, 'scheduled', at) : told;
    }
    case 'Change Updated': {
      const d = event.detail;
      const window = d.window ? { start: ms(d.window.start), end: ms(d.window.end) } : next.window;
      const impacts = d.impacts ? toImpacts(d.impacts) : next.impacts;
      // A held subject keeps what it learns but its scope version starts with the opening event.
      const failed = next.status === 'failed' && d.expectedResolutionAt !== undefined && !d.window;
      // A failed change hits what it hit until the new expected restore time.
      const moved = failed ? { start: window.start, end: Math.max(window.start, ms(d.expectedResolutionAt as string)) } : window;
      const scoped = next.opened ? withScope(next, moved, impacts) : { ...next, window: moved, impacts };
      return withMessage({ ...scoped, ...(d.title !== undefined ? { title: d.title } : {}) }, wasOpen, at, d);
    }
    case 'Change Cancelled':
      return {
        ...withStatus(next, 'cancelled', at),
        cancelledAt: at,
        ...(event.detail.reason !== undefined ? { note: event.detail.reason } : {}),
      };
    case 'Change Started':
      return { ...withStatus(next, 'started', at), startedAt: at, ...noteOf(event.detail) };
    case 'Change Completed': {
      // A failed change was fixed: what it hit was hit until now.
      const fixed =
        next.status === 'failed' && next.opened ? withScope(next, { start: next.window.start, end: Math.max(next.window.start, at) }, next.impacts) : next;
      return { ...withStatus(fixed, 'completed', at), completedAt: at, ...noteOf(event.detail) };
    }
    case 'Change Failed': {
      const d = event.detail;
      const rolledBack = d.rolledBack === true;
      const status = rolledBack ? 'rolled-back' : 'failed';
      const eta = d.expectedResolutionAt !== undefined ? ms(d.expectedResolutionAt) : next.expectedResolutionAt;
      const window = failedWindow(next.window, at, rolledBack, eta);
      const scoped = next.opened ? withScope(next, window, next.impacts) : { ...next, window };
      const failed = { ...withStatus(scoped, status, at), failedAt: at, ...noteOf(d) };
      // The failure (or the rollback) is news to everyone told; a resend of the same failure is not.
      const news = next.status !== status ? withNews(failed, wasOpen, at) : failed;
      return withMessage(news, wasOpen, at, { expectedResolutionAt: d.expectedResolutionAt });
    }
    case 'Incident Opened': {
      const d = event.detail;
      const startedAt = d.startedAt !== undefined ? ms(d.startedAt) : at;
      const end = next.resolvedAt !== undefined && next.resolvedAt > at ? next.resolvedAt : undefined;
      const scoped = withScope(next, end !== undefined ? { start: startedAt, end } : { start: startedAt }, toImpacts(d.impacts));
      const status = end !== undefined ? 'resolved' : 'open';
      const reopened: SubjectState = {
        ...withStatus(scoped, status, at),
        opened: true,
        title: d.title,
        severity: d.severity,
        startedAt,
        ...(end === undefined ? { resolvedAt: undefined } : {}),
      };
      return withMessage(reopened, wasOpen, at, d);
    }
    case 'Incident Updated': {
      const d = event.detail;
      const impacts = d.impacts ? toImpacts(d.impacts) : next.impacts;
      const scoped = next.opened ? withScope(next, next.window, impacts) : { ...next, impacts };
      const moved = d.status !== undefined && next.status !== 'resolved' ? withStatus(scoped, d.status, at) : scoped;
      return withMessage({ ...moved, ...(d.severity !== undefined ? { severity: d.severity } : {}) }, wasOpen, at, d);
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
    case 'Notices Approved':
      // What approval releases is recorded by withNotifyChoice; the facts of the subject stay as they are.
      return next;
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
