/**
 * The change manager's what-if against the stored graph: one event, or one subject's history, folded
 * and assessed; nothing is stored. `/assess` adds conflicts with other changes and previews of the
 * notices customers would get first.
 */
import type { SubjectProjection } from '../../adapters/projections.ts';
import { EventValidationError, parseEvent } from '../../domain/events/index.ts';
import { assessDetailed, type DetailedAssessment } from '../../domain/impact/assess.ts';
import { propagate } from '../../domain/impact/propagate.ts';
import type { Assessment, SubjectState } from '../../domain/model.ts';
import { renderPreviews, touchpointNamesOf, whatIfPreviewGroups, type RenderedPreview } from '../../domain/notices/index.ts';
import { foldSubject, subjectKey } from '../../domain/subject.ts';
import { overlappingChanges, sharedTouchpoints } from '../../domain/support.ts';
import { changesOverlapping } from '../shared/indexed-changes.ts';
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
  /**
   * The first notice as the affected customers would read it: one text per kind, locale, channel and
   * effect among them (with how many get it), rendered with the pipeline's templates. Empty when no
   * affected customer can be reached.
   */
  previews: RenderedPreview[];
}

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
  if (problems.length === 0 && new Set(events.map(subjectKey)).size > 1)
    problems.push({ field: 'body', message: 'holds events of several subjects; one what-if is one subject' });
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
  // The changes whose window may overlap this one's, from the changes index (never the whole history).
  const others = overlappingChanges(state, await changesOverlapping(deps, { from: state.window.start, to: state.window.end }));
  const conflicts = (await Promise.all(others.map((o) => deps.projections.getSubject(o.subjectKey))))
    .flatMap((p) =>
      p
        ? [
            {
              subjectKey: p.subjectKey,
              title: p.state.title,
              window: p.state.window,
              sharedTouchpoints: sharedTouchpoints(
                hit,
                p.touchpoints.map((t) => t.id),
              ),
            },
          ]
        : [],
    )
    .filter((c) => c.sharedTouchpoints.length > 0);
  const now = deps.now();
  const groups = whatIfPreviewGroups({
    state,
    subjectKey: `${state.type}#${state.id}`,
    affected: assessment.customers,
    profiles: records,
    touchpointNames: touchpointNamesOf(assessment.touchpoints, topology),
    at: now,
  });
  return { ...assessment, conflicts, previews: renderPreviews(deps.templates(), groups) };
});
