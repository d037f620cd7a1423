/**
 * Subjects (changes and incidents): the lists support watches, one subject with its history and the
 * notices sent, and its affected customers page by page.
 */
import { z } from 'zod';
import type { CustomerImpact, SubjectProjection, SubjectSummary } from '../../adapters/projections.ts';
import { TemplateFilesError } from '../../adapters/template-files.ts';
import { historyEntry, type HistoryEntry } from '../../domain/events/stored.ts';
import { NODE_ID_PATTERN } from '../../domain/model.ts';
import { heldPreviewGroups, renderPreviews, touchpointNamesOf, type HeldNotices, type RenderedPreview } from '../../domain/notices/index.ts';
import { INCIDENT_FILTERS, inRange, keepsOnlyOpen, matchesChangeFilter, matchesIncidentFilter } from '../../domain/support.ts';
import { changesOverlapping } from '../shared/indexed-changes.ts';
import { endpoint, type ApiDependencies } from './endpoint.ts';
import { ApiError, orderedRange, param } from './http.ts';

export interface SubjectListView {
  /** By start time, then subject key. */
  subjects: SubjectSummary[];
}

/** One event of a subject's history, with its source and actor (who did it, in which tool). */
export type { HistoryEntry } from '../../domain/events/stored.ts';

/**
 * A subject whose notices wait for approval (a draft, or held by the approval policy): the counts of
 * the held plan, and each text as customers would get it if it were approved now.
 */
export interface HeldView extends Omit<HeldNotices, 'groups'> {
  /**
   * One per kind, locale, channel and effect, rendered with the pipeline's templates; empty when
   * `previewProblem` says why. At most MAX_HELD_GROUPS: `previewsTruncated` says when more were planned.
   */
  previews: RenderedPreview[];
  /** Why there are no previews (the templates cannot be used: every problem named). */
  previewProblem?: string;
}

export interface SubjectView extends SubjectProjection {
  /** Every event of the subject, oldest first, each with who did it (actor) and where it came from (source). */
  history: HistoryEntry[];
  /** Customer notices sent so far, by kind. */
  noticesByKind: Record<string, number>;
  /** Present while the subject's notices are held for approval (POST /subjects/{type}/{id}/approve sends them). */
  held?: HeldView;
}

/** An affected customer as support sees them: no window, title or status (those are the subject's). */
export type AffectedCustomer = Omit<CustomerImpact, 'window' | 'title' | 'status'>;

export interface AffectedCustomersPage {
  customers: AffectedCustomer[];
  /** Affected customers matching the filters, on every page. */
  total: number;
  /** Pass it back as `cursor` for the next page; absent on the last page. */
  cursor?: string;
}

const byStart = (a: SubjectSummary, b: SubjectSummary) => a.start - b.start || (a.subjectKey < b.subjectKey ? -1 : 1);

const listSubjects = async (deps: Pick<ApiDependencies, 'projections'>) => (await deps.projections.listSubjects()).sort(byStart);

export const allSubjects = endpoint({}, async (_request, deps): Promise<SubjectListView> => ({ subjects: await listSubjects(deps) }));

export const changes = endpoint(
  {
    query: z.object({
      from: param.time('2026-12-05T00:00:00Z').optional(),
      to: param.time('2026-12-06T00:00:00Z').optional(),
      touchpoint: param.id('a touchpoint id').optional(),
      team: param.text('a team').optional(),
    }),
  },
  async ({ query }, deps): Promise<SubjectListView> => {
    const range = orderedRange({ from: query.from, to: query.to });
    // A store projected before the changes index gets it built once, from its subjects.
    const found = (await changesOverlapping(deps, range)).filter(
      (c) => inRange({ start: c.start, ...(c.end !== undefined ? { end: c.end } : {}) }, range) && matchesChangeFilter(query, c),
    );
    return { subjects: found.map(({ team: _team, hit: _hit, touchpointTeams: _teams, effects: _effects, ...summary }) => summary).sort(byStart) };
  },
);

/** The open incidents, from their index (a store projected before it gets it built once). */
const openIncidents = async (deps: Pick<ApiDependencies, 'projections'>): Promise<SubjectSummary[]> => {
  await deps.projections.ensureIncidentIndex();
  return (await deps.projections.openIncidents()).map(({ effects: _effects, ...summary }) => summary);
};

export const incidents = endpoint(
  { query: z.object({ status: param.oneOf(INCIDENT_FILTERS).optional() }) },
  async ({ query }, deps): Promise<SubjectListView> => {
    const filter = query.status ?? 'open';
    // Resolved incidents are read only when the filter may keep them.
    const incidents = keepsOnlyOpen(filter) ? await openIncidents(deps) : await deps.projections.incidents();
    return { subjects: incidents.filter((s) => matchesIncidentFilter(filter, s.status)).sort(byStart) };
  },
);

export const subjectParams = z.object({ type: param.oneOf(['change', 'incident']), id: param.id('a change or incident id') });

export const projectionOf = async (deps: Pick<ApiDependencies, 'projections'>, type: string, id: string) => {
  const projection = await deps.projections.getSubject(`${type}#${id}`);
  if (!projection) throw new ApiError('not-found', `${type} ${id} not found; check the id (GET /subjects lists them)`);
  return projection;
};

/** Why a held plan kept before its preview groups were (an earlier version) shows no previews, and what to do. */
export const NO_KEPT_PREVIEWS =
  'this plan was held before held plans kept their preview groups, so its texts are not previewed here; the counts are current. ' +
  'Its next assessment (any update to the subject) keeps them; meanwhile the what-if (POST /assess, Assess in the console) shows the first texts';

/**
 * The held plan with its previews, rendered from the groups the planner kept with it: one stored impact
 * read per group (its sample), never the subject's customers or ledger (issue 12, section 3).
 */
const heldView = async (deps: ApiDependencies, projection: SubjectProjection, held: HeldNotices): Promise<HeldView> => {
  const { groups, ...counts } = held;
  if (!groups) return { ...counts, previews: [], previewProblem: NO_KEPT_PREVIEWS };
  const [samples, { topology }] = await Promise.all([
    deps.projections.impactsOf(
      projection.subjectKey,
      groups.map((g) => g.sampleCustomerId),
    ),
    deps.graph.topology(),
  ]);
  const source = { state: projection.state, touchpointNames: touchpointNamesOf(projection.touchpoints, topology) };
  try {
    return { ...counts, previews: renderPreviews(deps.templates(), heldPreviewGroups(groups, source, samples)) };
  } catch (error) {
    if (!(error instanceof TemplateFilesError)) throw error;
    return { ...counts, previews: [], previewProblem: error.message };
  }
};

export const subject = endpoint({ params: subjectParams }, async ({ params }, deps): Promise<SubjectView> => {
  const projection = await projectionOf(deps, params.type, params.id);
  // Notices by kind from the subject's counters (kept as notices are marked sent), never its ledger.
  const [history, counts, held] = await Promise.all([
    deps.events.readSubject(projection.subjectKey),
    deps.projections.noticeCounts(projection.subjectKey),
    deps.projections.getHeld(projection.subjectKey),
  ]);
  return {
    ...projection,
    history: history.map(historyEntry),
    noticesByKind: counts.byKind,
    ...(held ? { held: await heldView(deps, projection, held) } : {}),
  };
});

/**
 * The cursor is opaque to callers: today the last customer id of the page (ids sort stably, so new
 * customers do not shift pages), base64url-encoded so that a later store can page by its own key.
 */
export const cursorAfter = (customerId: string): string => Buffer.from(JSON.stringify({ after: customerId })).toString('base64url');

export const cursor = z.string().transform((value, ctx) => {
  try {
    const { after } = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof after === 'string' && NODE_ID_PATTERN.test(after)) return after;
  } catch {
    // falls through to the problem below
  }
  ctx.addIssue({
    code: 'custom',
    message: `${JSON.stringify(value)} is not a cursor this API gave out; pass the \`cursor\` of the previous page, or leave it out for the first page`,
  });
  return z.NEVER;
});

export const PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export const affectedCustomers = endpoint(
  {
    params: subjectParams,
    query: z.object({
      cursor: cursor.optional(),
      limit: param.wholeNumber(1, MAX_PAGE_SIZE, PAGE_SIZE).optional(),
      effect: param.oneOf(['outage', 'degraded']).optional(),
      segment: param.text('a segment').optional(),
    }),
  },
  async ({ params, query }, deps): Promise<AffectedCustomersPage> => {
    const projection = await projectionOf(deps, params.type, params.id);
    const { subjectKey } = projection;
    const limit = query.limit ?? PAGE_SIZE;
    if (projection.byEffectSegment) {
      // Only the (effect, segment) partitions the filters keep, merged by customer id a page at a time.
      const pairs = Object.entries(projection.byEffectSegment)
        .map(([key, count]) => ({ key: key.split('|'), count }))
        .filter(
          ({ key: [effect, segment], count }) => count > 0 && (!query.effect || effect === query.effect) && (!query.segment || segment === query.segment),
        );
      const page = await deps.projections.impactPage(
        subjectKey,
        pairs.map(({ key: [effect, segment] }) => ({ effect, segment })),
        limit,
        query.cursor,
      );
      return {
        customers: page.customers.map((c) => ({ ...c, subjectKey })),
        total: pairs.reduce((n, p) => n + p.count, 0),
        ...(page.after !== undefined ? { cursor: cursorAfter(page.after) } : {}),
      };
    }
    // Projected before the assessment kept its counts (e.g. by `impact replay`): read them all, as before.
    const customers = (await deps.projections.customersOfSubject(subjectKey))
      .filter((c) => (!query.effect || c.effect === query.effect) && (!query.segment || c.segment === query.segment))
      .sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
    const after = query.cursor;
    const rest = after === undefined ? customers : customers.filter((c) => c.customerId > after);
    const page = rest.slice(0, limit);
    return {
      customers: page.map(({ window: _w, title: _t, status: _s, ...c }) => c),
      total: customers.length,
      ...(rest.length > limit ? { cursor: cursorAfter(page[page.length - 1].customerId) } : {}),
    };
  },
);
