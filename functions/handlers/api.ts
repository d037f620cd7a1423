/**
 * api (HTTP API behind a JWT authorizer): what first-line support and change managers ask.
 *   GET  /subjects, /changes?from&to&touchpoint&team, /incidents?status=open|resolved|all
 *   GET  /subjects/{type}/{id}        state, history, touchpoints with paths, summary, notices by kind
 *   GET  /subjects/{type}/{id}/customers?cursor&limit&effect&segment   paginated, stable cursor
 *   GET  /customers/{id}[/impacts]    what affects this customer, what they were told (no contact details)
 *   GET  /touchpoints[/{id}]          status now and upcoming changes
 *   GET  /metrics?from&to             customers impacted, customer-minutes, detection to notice, MTTR
 *   POST /what-if                     assess an event (or a history) against the stored graph, nothing stored
 *   POST /assess                      the same plus conflicts with other changes and draft notices
 *   POST /events                      put a validated change/incident event on the bus (202)
 * Bad input gets 400 with every problem named; unknown routes 404.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { EventValidationError, parseEvent } from '../domain/events/index.ts';
import { assessDetailed } from '../domain/impact/assess.ts';
import { propagate } from '../domain/impact/propagate.ts';
import { foldSubject, subjectKey } from '../domain/subject.ts';
import type { EventStore } from '../adapters/event-store.ts';
import type { GraphStore } from '../adapters/graph-store.ts';
import type { Projections } from '../adapters/projections.ts';
import type { Ledger } from '../adapters/ledger.ts';
import { renderNotice } from '../domain/notices/templates.ts';
import { impactMetrics } from '../domain/metrics.ts';
import { fromEnvironment } from './shared/dependencies.ts';
import { logger, tracer } from './shared/powertools.ts';

export interface ApiDependencies {
  events: EventStore;
  graph: GraphStore;
  projections: Projections;
  now: () => number;
  ledger?: Ledger;
  /** Puts a validated change or incident event on the bus (POST /events); absent = read-only API. */
  submit?: (event: { 'detail-type': string; source: string; detail: unknown }) => Promise<void>;
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});
const badRequest = (problems: { field: string; message: string }[]) => json(400, { error: 'bad request', problems });

const notFound = (what: string) => json(404, { error: `${what} not found; check the id` });
const PAGE = 100;

const intParam = (q: Record<string, string | undefined>, name: string): number | undefined | 'bad' => {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? 'bad' : ms;
};

/** Parses and folds a what-if body (one event or one subject's history); problems name the field. */
const whatIfSubject = (raw: unknown, now: number) => {
  const list = Array.isArray(raw) ? raw : [raw];
  const problems: { field: string; message: string }[] = [];
  const events = list.flatMap((item, i) => {
    try {
      return [parseEvent(item, { receivedAt: now + i })];
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      problems.push(...error.issues.map((issue) => ({ field: Array.isArray(raw) ? `[${i}].${issue.field}` : issue.field, message: issue.message })));
      return [];
    }
  });
  if (problems.length === 0 && events.length === 0) problems.push({ field: 'body', message: 'give at least one event' });
  if (problems.length === 0 && new Set(events.map(subjectKey)).size > 1) problems.push({ field: 'body', message: 'events of several subjects; one what-if is one subject' });
  return problems.length > 0 ? { problems } : { state: foldSubject(events) };
};

const parseBody = (event: APIGatewayProxyEventV2): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '')) };
  } catch {
    return { ok: false };
  }
};

export const route = async (deps: ApiDependencies, event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const method = event.requestContext.http.method;
  const path = event.rawPath.replace(/^\/api(?=\/)/, '').replace(/\/+$/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = (event.queryStringParameters ?? {}) as Record<string, string | undefined>;

  if (method === 'GET' && (path === '/subjects' || path === '/changes' || path === '/incidents')) {
    let subjects = (await deps.projections.listSubjects()).sort((a, b) => a.start - b.start || (a.subjectKey < b.subjectKey ? -1 : 1));
    if (path === '/changes') {
      const from = intParam(query, 'from');
      const to = intParam(query, 'to');
      if (from === 'bad' || to === 'bad') return badRequest([{ field: from === 'bad' ? 'from' : 'to', message: 'must be an ISO 8601 time, e.g. 2026-12-05T00:00:00Z' }]);
      subjects = subjects.filter((s) => s.type === 'change' && (from === undefined || (s.end ?? Infinity) > from) && (to === undefined || s.start < to));
      if (query.touchpoint || query.team) {
        const { topology } = await deps.graph.topology();
        const details = await Promise.all(subjects.map((s) => deps.projections.getSubject(s.subjectKey)));
        subjects = subjects.filter((_, i) => {
          const tps = details[i]?.touchpoints ?? [];
          return (!query.touchpoint || tps.some((t) => t.id === query.touchpoint)) && (!query.team || tps.some((t) => topology.touchpoints.get(t.id)?.team === query.team) || details[i]?.state.team === query.team);
        });
      }
    }
    if (path === '/incidents') {
      const status = query.status ?? 'open';
      subjects = subjects.filter((s) => s.type === 'incident' && (status === 'all' || (status === 'open' ? s.status !== 'resolved' : s.status === status)));
    }
    return json(200, { subjects });
  }

  if (method === 'GET' && parts[0] === 'subjects' && (parts.length === 3 || (parts.length === 4 && parts[3] === 'customers'))) {
    if (parts[1] !== 'change' && parts[1] !== 'incident') return badRequest([{ field: 'type', message: 'must be change or incident' }]);
    const key = `${parts[1]}#${parts[2]}`;
    const projection = await deps.projections.getSubject(key);
    if (!projection) return notFound(`${parts[1]} ${parts[2]}`);
    if (parts.length === 3) {
      const [history, sent] = await Promise.all([deps.events.readSubject(key), deps.ledger ? deps.ledger.sentAbout(key) : Promise.resolve([])]);
      const noticesByKind: Record<string, number> = {};
      for (const e of sent) noticesByKind[e.kind] = (noticesByKind[e.kind] ?? 0) + 1;
      return json(200, { ...projection, history: history.map((h) => ({ version: h.version, detailType: h.event.detailType, occurredAt: new Date(h.event.occurredAt).toISOString(), eventId: h.event.eventId })), noticesByKind });
    }
    const limit = Math.min(Number(query.limit ?? PAGE) || PAGE, 1000);
    const customers = (await deps.projections.customersOfSubject(key))
      .filter((c) => (!query.effect || c.effect === query.effect) && (!query.segment || c.segment === query.segment))
      .sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
    // The cursor is the last id of the previous page: stable while customers come and go.
    const page = customers.filter((c) => !query.cursor || c.customerId > query.cursor).slice(0, limit);
    const next = page.length === limit && customers.some((c) => c.customerId > page[page.length - 1].customerId) ? page[page.length - 1].customerId : undefined;
    return json(200, { customers: page.map(({ window: _w, title: _t, status: _s, ...c }) => c), total: customers.length, ...(next ? { cursor: next } : {}) });
  }

  if (method === 'GET' && parts[0] === 'customers' && (parts.length === 2 || (parts.length === 3 && parts[2] === 'impacts'))) {
    const impacts = await deps.projections.impactsOfCustomer(parts[1]);
    const told = deps.ledger ? await Promise.all(impacts.map((i) => deps.ledger!.sentTo(i.subjectKey, parts[1]))) : [];
    // Contact details are never shown here: only notify may read them (DESIGN section 9).
    return json(200, {
      customerId: parts[1],
      impacts: impacts.map((i, k) => ({ ...i, told: (told[k] ?? []).map((t) => ({ kind: t.kind, version: t.version, channel: t.channel, sentAt: new Date(t.sentAt).toISOString(), status: t.status })) })),
    });
  }

  if (method === 'GET' && parts[0] === 'touchpoints' && parts.length <= 2) {
    const { topology } = await deps.graph.topology();
    const subjects = await deps.projections.listSubjects();
    const live = subjects.filter((s) => s.status !== 'cancelled' && s.status !== 'completed' && s.status !== 'resolved' && (s.end === undefined || s.end > deps.now()));
    const details = await Promise.all(live.map((s) => deps.projections.getSubject(s.subjectKey)));
    const hits = new Map<string, { subjectKey: string; effect: string; start: number; end?: number; status: string }[]>();
    details.forEach((d, i) => {
      for (const t of d?.touchpoints ?? []) hits.set(t.id, [...(hits.get(t.id) ?? []), { subjectKey: live[i].subjectKey, effect: t.effect, start: live[i].start, end: live[i].end, status: live[i].status }]);
    });
    const view = (id: string) => {
      const t = topology.touchpoints.get(id)!;
      const now = deps.now();
      const subjectsOf = hits.get(id) ?? [];
      const current = subjectsOf.filter((s) => s.start <= now);
      const status = current.some((s) => s.effect === 'outage') ? 'outage' : current.length > 0 ? 'degraded' : 'ok';
      return { id, name: t.name, channel: t.channel, team: t.team, region: t.region, status, now: current, upcoming: subjectsOf.filter((s) => s.start > now) };
    };
    if (parts.length === 1) return json(200, { touchpoints: [...topology.touchpoints.keys()].sort().map(view) });
    return topology.touchpoints.has(parts[1]) ? json(200, view(parts[1])) : notFound(`touchpoint ${parts[1]}`);
  }

  if (method === 'POST' && (path === '/what-if' || path === '/assess')) {
    const body = parseBody(event);
    if (!body.ok) return badRequest([{ field: 'body', message: "must be JSON: one event or an array of one subject's events" }]);
    const result = whatIfSubject(body.value, deps.now());
    if ('problems' in result) return badRequest(result.problems!);
    const state = result.state!;
    const { topology } = await deps.graph.topology();
    const hit = propagate(topology, state.impacts).touchpoints.map((t) => t.id);
    const { assessment, records } = assessDetailed(await deps.graph.view(hit), state);
    if (path === '/what-if') return json(200, assessment);
    // Conflicts: other live changes whose window overlaps and that hit a shared touchpoint.
    const others = (await deps.projections.listSubjects()).filter((s) => s.type === 'change' && s.id !== state.id && s.status !== 'cancelled' && s.status !== 'completed' && s.start < (state.window.end ?? Infinity) && state.window.start < (s.end ?? Infinity));
    const mine = new Set(hit);
    const conflicts = (await Promise.all(others.map((o) => deps.projections.getSubject(o.subjectKey))))
      .flatMap((p) => (p ? [{ subjectKey: p.subjectKey, title: p.state.title, window: p.state.window, sharedTouchpoints: p.touchpoints.map((t) => t.id).filter((id) => mine.has(id)) }] : []))
      .filter((c) => c.sharedTouchpoints.length > 0);
    const names = Object.fromEntries(assessment.touchpoints.map((t) => [t.id, topology.touchpoints.get(t.id)?.name ?? t.id]));
    const drafts = Object.fromEntries(
      (['en-GB', 'nl-NL'] as const).map((locale) => [
        locale,
        renderNotice('change-notice', locale, { subjectTitle: state.title ?? state.id, touchpoints: Object.values(names), effect: assessment.customers[0]?.effect ?? 'outage', start: state.window.start, end: state.window.end, timeZone: records[0]?.timeZone, customerMessage: state.customerMessage }),
      ]),
    );
    return json(200, { ...assessment, conflicts, draftNotices: drafts });
  }

  if (method === 'GET' && path === '/metrics') {
    const from = intParam(query, 'from');
    const to = intParam(query, 'to');
    if (from === 'bad' || to === 'bad') return badRequest([{ field: from === 'bad' ? 'from' : 'to', message: 'must be an ISO 8601 time, e.g. 2026-12-01T00:00:00Z' }]);
    const now = deps.now();
    const range = { from: from ?? now - 30 * 86_400_000, to: to ?? now };
    if (range.to <= range.from) return badRequest([{ field: 'to', message: 'must be after from' }]);
    // Folded from the event store: every subject's history, its stored impact, its first notice.
    const histories = await deps.events.readAll();
    const facts = await Promise.all(
      [...histories].map(async ([key, history]) => {
        const projection = await deps.projections.getSubject(key);
        const sent = deps.ledger ? await deps.ledger.sentAbout(key) : [];
        const first = sent.filter((e) => e.status !== 'claimed').reduce<number | undefined>((min, e) => (min === undefined || e.sentAt < min ? e.sentAt : min), undefined);
        return {
          state: foldSubject(history.map((h) => h.event)),
          customers: projection?.summary.customers ?? 0,
          touchpoints: (projection?.touchpoints ?? []).map((t) => t.id),
          ...(first !== undefined ? { firstNoticeAt: first } : {}),
        };
      }),
    );
    return json(200, impactMetrics(facts, range, now));
  }

  if (method === 'POST' && path === '/events' && deps.submit) {
    let raw: { 'detail-type'?: string; detail?: unknown };
    try {
      raw = JSON.parse(event.body ?? '');
    } catch {
      return badRequest([{ field: 'body', message: 'must be one JSON event: { "detail-type": ..., "detail": ... }' }]);
    }
    try {
      // Validated here so that the caller learns at once what is wrong; ingest validates again.
      parseEvent(raw, { receivedAt: deps.now() });
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      return badRequest(error.issues);
    }
    await deps.submit({ 'detail-type': String(raw['detail-type']), source: 'impact.console', detail: raw.detail });
    return json(202, { accepted: true });
  }
  return json(404, { error: `no route ${method} ${path}` });
};

export const buildApiHandler = (deps: ApiDependencies) =>
  middy((event: APIGatewayProxyEventV2, _context: Context) => route(deps, event))
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger));

const fromLambdaEnvironment = (): ApiDependencies => {
  const deps = fromEnvironment();
  const bus = new EventBridgeClient({});
  return {
    ...deps,
    submit: async (e) => {
      await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: process.env.EVENT_BUS_NAME, Source: e.source, DetailType: e['detail-type'], Detail: JSON.stringify(e.detail) }] }));
    },
  };
};

let lazy: ReturnType<typeof buildApiHandler> | undefined;
export const handler = (event: APIGatewayProxyEventV2, context: Context) => (lazy ??= buildApiHandler(fromLambdaEnvironment()))(event, context);
