/**
 * What first-line support and change managers are shown, as rules over plain data: which subjects
 * are live, what state a touchpoint is in now, which changes conflict, which subjects a list filter
 * keeps, when the first notice went out. The API (functions/handlers/api) only reads and adapts.
 */
import { maxEffect } from './effects.ts';
import { overlaps } from './impact/customers.ts';
import type { Topology } from './impact/propagate.ts';
import type { Effect, IncidentStatus, NodeId, SubjectState, SubjectType, Window } from './model.ts';
import { isClosed, isLive } from './subject.ts';

type Status = SubjectState['status'];

// Which subjects are closed or live is the subject's own rule (subject.ts); support re-exports it.
export { CLOSED_STATUSES, isClosed, isLive } from './subject.ts';

/** Two windows share time, by the impact engine's own `overlaps` rule (a missing end is open). */
export const windowsOverlap = (a: Window, b: Window): boolean => overlaps({ from: a.start, to: a.end }, b);

/** A time range asked for in a list; either bound may be left open. */
export interface Range {
  from?: number;
  to?: number;
}

/** Whether a subject's window falls (at least partly) inside the range. */
export const inRange = (window: Window, range: Range): boolean =>
  windowsOverlap(window, { start: range.from ?? Number.NEGATIVE_INFINITY, ...(range.to !== undefined ? { end: range.to } : {}) });

/** What `GET /incidents?status=` may ask for: `open` is every incident not resolved yet. */
export const INCIDENT_FILTERS = ['open', 'all', 'investigating', 'identified', 'monitoring', 'resolved'] as const satisfies readonly (IncidentStatus | 'all')[];
export type IncidentFilter = (typeof INCIDENT_FILTERS)[number];

export const matchesIncidentFilter = (filter: IncidentFilter, status: Status): boolean =>
  filter === 'all' || (filter === 'open' ? status !== 'resolved' : status === filter);

/** Whether every incident the filter keeps is open (so the open incidents are all it needs to look at). */
export const keepsOnlyOpen = (filter: IncidentFilter): boolean => !matchesIncidentFilter(filter, 'resolved');

/** A subject concerns a team when the team owns the subject or one of the touchpoints it hits. */
export const concernsTeam = (team: string, subject: { team?: string; touchpointTeams: readonly (string | undefined)[] }): boolean =>
  subject.team === team || subject.touchpointTeams.includes(team);

/**
 * The team owning each hit touchpoint that names one, as the graph says now: kept with the subject's
 * projection so that listing changes by team needs no graph (a later graph counts from the next assessment).
 */
export const touchpointTeamsOf = (touchpoints: readonly { id: NodeId }[], topology: Pick<Topology, 'touchpoints'>): Record<NodeId, string> =>
  Object.fromEntries(
    touchpoints.flatMap((t) => {
      const team = topology.touchpoints.get(t.id)?.team;
      return team === undefined ? [] : [[t.id, team]];
    }),
  );

/** Whether a change listed with its hit touchpoints and their teams passes GET /changes' touchpoint and team filters. */
export const matchesChangeFilter = (
  filter: { touchpoint?: NodeId; team?: string },
  change: { team?: string; hit: readonly NodeId[]; touchpointTeams: readonly string[] },
): boolean =>
  (!filter.touchpoint || change.hit.includes(filter.touchpoint)) &&
  (!filter.team || concernsTeam(filter.team, { team: change.team, touchpointTeams: change.touchpointTeams }));

/** One subject's hit on a touchpoint, as support sees it. */
export interface TouchpointHit {
  subjectKey: string;
  effect: Effect;
  start: number;
  end?: number;
  status: Status;
}

export type TouchpointStatus = 'ok' | 'degraded' | 'outage';

export interface TouchpointNow {
  status: TouchpointStatus;
  /** Live hits whose window has begun. */
  now: TouchpointHit[];
  /** Live hits whose window lies ahead. */
  upcoming: TouchpointHit[];
}

/** A subject as the touchpoints' status needs it: its window, its status and the effect on each touchpoint it hits. */
export interface SubjectHits {
  subjectKey: string;
  start: number;
  end?: number;
  status: Status;
  effects: Readonly<Record<NodeId, Effect>>;
}

/** The hits of the live subjects by touchpoint, each touchpoint's in subject key order. */
export const hitsByTouchpoint = (subjects: readonly SubjectHits[], now: number): Map<NodeId, TouchpointHit[]> => {
  const hits = new Map<NodeId, TouchpointHit[]>();
  const live = subjects.filter((s) => isLive(s, now)).sort((a, b) => (a.subjectKey < b.subjectKey ? -1 : a.subjectKey > b.subjectKey ? 1 : 0));
  for (const { subjectKey, start, end, status, effects } of live)
    for (const [id, effect] of Object.entries(effects))
      hits.set(id, [...(hits.get(id) ?? []), { subjectKey, effect, start, ...(end !== undefined ? { end } : {}), status }]);
  return hits;
};

/** A touchpoint is as bad as the worst live hit that has begun; `ok` when none has. */
export const touchpointNow = (hits: readonly TouchpointHit[], now: number): TouchpointNow => {
  const live = hits.filter((h) => isLive(h, now));
  const current = live.filter((h) => h.start <= now);
  const worst = current.reduce<Effect>((e, h) => maxEffect(e, h.effect), 'none');
  return { status: worst === 'none' ? 'ok' : worst, now: current, upcoming: live.filter((h) => h.start > now) };
};

/** A subject as the list of subjects holds it. */
export interface ListedSubject {
  type: SubjectType;
  id: string;
  status: Status;
  start: number;
  end?: number;
}

/**
 * Changes a candidate change could collide with: other changes, not closed, whose window overlaps
 * the candidate's. Whether they share a touchpoint is `sharedTouchpoints`.
 */
export const overlappingChanges = <S extends ListedSubject>(candidate: { id: string; window: Window }, subjects: readonly S[]): S[] =>
  subjects.filter(
    (s) =>
      s.type === 'change' &&
      s.id !== candidate.id &&
      !isClosed(s.status) &&
      windowsOverlap({ start: s.start, ...(s.end !== undefined ? { end: s.end } : {}) }, candidate.window),
  );

export const sharedTouchpoints = (mine: readonly NodeId[], theirs: readonly NodeId[]): NodeId[] => {
  const hit = new Set(mine);
  return theirs.filter((id) => hit.has(id));
};

/** When the first customer heard about a subject: the earliest notice that went out (claims not yet sent do not count). */
export const firstNoticeAt = (notices: readonly { status: string; sentAt: number }[]): number | undefined =>
  notices.reduce<number | undefined>((first, n) => (n.status === 'claimed' || (first !== undefined && first <= n.sentAt) ? first : n.sentAt), undefined);
