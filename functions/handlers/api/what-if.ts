/**
 * The change manager's what-if against the stored graph: one event, or one subject's history, folded
 * and assessed; nothing is stored. `/assess` adds conflicts with other changes and draft notices.
 */
import type { SubjectProjection } from '../../adapters/projections.ts';
import { EventValidationError, parseEvent } from '../../domain/events/index.ts';
import { assessDetailed, type DetailedAssessment } from '../../domain/impact/assess.ts';
import { propagate } from '../../domain/impact/propagate.ts';
import type { Assessment, SubjectState } from '../../domain/model.ts';
import { renderNotice, type RenderedNotice } from '../../domain/notices/templates.ts';
import { foldSubject, subjectKey } from '../../domain/subject.ts';
import { overlappingChanges, sharedTouchpoints } from '../../domain/support.ts';
import { endpoint, type ApiDependencies } from './endpoint.ts';
import { badRequest, type Problem } from './http.ts';

export type WhatIfView = Assessment;

export interface ConflictView {
  subjectKey: string;
  title?: string;
  window: SubjectProjection['state']['window'];
  sharedTouchpoints: string[];
}

export interface AssessView extends Assessment {
  /** Other open changes whose window overlaps and that hit a touchpoint this one hits. */
  conflicts: ConflictView[];
  /** The first notice as customers would read it, per locale. */
  draftNotices: Record<(typeof DRAFT_LOCALES)[number], RenderedNotice>;
}

const DRAFT_LOCALES = ['en-GB', 'nl-NL'] as const;

/** Parses and folds a what-if body (one event or one subject's history); every problem names its field. */
const whatIfSubject = (raw: unknown, now: number): SubjectState => {
  const list = Array.isArray(raw) ? raw : [raw];
  const problems: Problem[] = [];
  const events = list.flatMap((item, i) => {
    try {
      return [parseEvent(item, { receivedAt: now + i })];
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      problems.push(...error.issues.map((issue) => ({ field: Array.isArray(raw) ? `[${i}].${issue.field}` : issue.field, message: issue.message })));
      return [];
    }
  });
  if (problems.length === 0 && events.length === 0) problems.push({ field: 'body', message: 'is an empty list; give at least one event' });
  if (problems.length === 0 && new Set(events.map(subjectKey)).size > 1) problems.push({ field: 'body', message: 'holds events of several subjects; one what-if is one subject' });
  if (problems.length > 0) throw badRequest(problems);
  return foldSubject(events);
};

const assessAgainstStore = async (deps: ApiDependencies, body: unknown) => {
  const state = whatIfSubject(body, deps.now());
  const { topology } = await deps.graph.topology();
  const hit = propagate(topology, state.impacts).touchpoints.map((t) => t.id);
  const detailed: DetailedAssessment = assessDetailed(await deps.graph.view(hit), state);
  return { state, topology, hit, detailed };
};

export const whatIf = endpoint({ body: 'json' }, async ({ body }, deps): Promise<WhatIfView> => (await assessAgainstStore(deps, body)).detailed.assessment);

export const assess = endpoint({ body: 'json' }, async ({ body }, deps): Promise<AssessView> => {
  const { state, topology, hit, detailed } = await assessAgainstStore(deps, body);
  const { assessment, records } = detailed;
  const others = overlappingChanges(state, await deps.projections.listSubjects());
  const conflicts = (await Promise.all(others.map((o) => deps.projections.getSubject(o.subjectKey))))
    .flatMap((p) => (p ? [{ subjectKey: p.subjectKey, title: p.state.title, window: p.state.window, sharedTouchpoints: sharedTouchpoints(hit, p.touchpoints.map((t) => t.id)) }] : []))
    .filter((c) => c.sharedTouchpoints.length > 0);
  const names = assessment.touchpoints.map((t) => topology.touchpoints.get(t.id)?.name ?? t.id);
  const context = { subjectTitle: state.title ?? state.id, touchpoints: names, effect: assessment.customers[0]?.effect ?? 'outage', start: state.window.start, end: state.window.end, timeZone: records[0]?.timeZone, customerMessage: state.customerMessage };
  const draftNotices = Object.fromEntries(DRAFT_LOCALES.map((locale) => [locale, renderNotice('change-notice', locale, context)])) as AssessView['draftNotices'];
  return { ...assessment, conflicts, draftNotices };
});
