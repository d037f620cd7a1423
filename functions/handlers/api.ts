/**
 * api (HTTP API behind a JWT authorizer): what first-line support and change managers ask.
 *   GET  /subjects                    every change and incident with status, window and counts
 *   GET  /subjects/{type}/{id}        one subject: state, touchpoints with paths, summary
 *   GET  /customers/{id}              what affects this customer now
 *   POST /what-if                     assess an event (or a history) against the stored graph, nothing stored
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
import { fromEnvironment } from './shared/dependencies.ts';
import { logger, tracer } from './shared/powertools.ts';

export interface ApiDependencies {
  events: EventStore;
  graph: GraphStore;
  projections: Projections;
  now: () => number;
  /** Puts a validated change or incident event on the bus (POST /events); absent = read-only API. */
  submit?: (event: { 'detail-type': string; source: string; detail: unknown }) => Promise<void>;
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});
const badRequest = (problems: { field: string; message: string }[]) => json(400, { error: 'bad request', problems });

export const route = async (deps: ApiDependencies, event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const method = event.requestContext.http.method;
  const path = event.rawPath.replace(/^\/api(?=\/)/, '').replace(/\/+$/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (method === 'GET' && path === '/subjects') {
    const subjects = await deps.projections.listSubjects();
    return json(200, { subjects: subjects.sort((a, b) => a.start - b.start) });
  }
  if (method === 'GET' && parts[0] === 'subjects' && parts.length === 3) {
    if (parts[1] !== 'change' && parts[1] !== 'incident') return badRequest([{ field: 'type', message: 'must be change or incident' }]);
    const projection = await deps.projections.getSubject(`${parts[1]}#${parts[2]}`);
    return projection ? json(200, projection) : json(404, { error: `no ${parts[1]} ${parts[2]}` });
  }
  if (method === 'GET' && parts[0] === 'customers' && parts.length === 2) {
    const impacts = await deps.projections.impactsOfCustomer(parts[1]);
    return json(200, { customerId: parts[1], impacts });
  }
  if (method === 'POST' && path === '/what-if') {
    let raw: unknown;
    try {
      raw = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? ''));
    } catch {
      return badRequest([{ field: 'body', message: 'must be JSON: one event or an array of one subject\'s events' }]);
    }
    const list = Array.isArray(raw) ? raw : [raw];
    const problems: { field: string; message: string }[] = [];
    const now = deps.now();
    const events = list.flatMap((item, i) => {
      try {
        return [parseEvent(item, { receivedAt: now + i })];
      } catch (error) {
        if (!(error instanceof EventValidationError)) throw error;
        problems.push(...error.issues.map((issue) => ({ field: Array.isArray(raw) ? `[${i}].${issue.field}` : issue.field, message: issue.message })));
        return [];
      }
    });
    if (problems.length > 0) return badRequest(problems);
    if (events.length === 0) return badRequest([{ field: 'body', message: 'give at least one event' }]);
    if (new Set(events.map(subjectKey)).size > 1) return badRequest([{ field: 'body', message: 'events of several subjects; one what-if is one subject' }]);
    const state = foldSubject(events);
    const { topology } = await deps.graph.topology();
    const hit = propagate(topology, state.impacts).touchpoints.map((t) => t.id);
    const { assessment } = assessDetailed(await deps.graph.view(hit), state);
    return json(200, assessment);
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
