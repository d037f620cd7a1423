/**
 * What a route's handler is: the schemas of its path and query parameters (and whether it takes a JSON
 * body), and a function from the parsed request to the answer. The route table (routes.ts) says who
 * may call which handler on which path; the router (router.ts) checks all of it before `handle` runs.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import type { EventStore } from '../../adapters/event-store.ts';
import type { GraphStore } from '../../adapters/graph-store.ts';
import type { Deliveries } from '../../adapters/deliveries.ts';
import type { Ledger } from '../../adapters/ledger.ts';
import type { PipelineEvents } from '../../adapters/eventbridge.ts';
import type { Projections } from '../../adapters/projections.ts';
import type { TemplateSet } from '../../domain/notices/template-set.ts';
import type { Caller } from './access.ts';
import type { AuthScheme, HttpIntakeSource, IntakeConfig } from '../../domain/intake/index.ts';
import { jsonBody, parseParameters } from './http.ts';

/** An event the console puts on the bus (POST /events), in EventBridge's own field names. */
export interface SubmittedEvent {
  'detail-type': string;
  source: string;
  detail: unknown;
}

export interface ApiDependencies {
  events: EventStore;
  graph: GraphStore;
  projections: Projections;
  now: () => number;
  ledger: Ledger;
  /** Delivery state: counters per subject, customers nobody could reach, each notice's channels. */
  deliveries?: Deliveries;
  /** The notice templates (previews render with them); throws with every problem when they cannot be used. */
  templates: () => TemplateSet;
  /** Puts validated change or incident events on the bus (one request); throws EventsNotAcceptedError when the bus refuses them. */
  submit: (events: readonly SubmittedEvent[]) => Promise<void>;
  /** The pipeline's own events (`Event Rejected` for refused intake). */
  pipelineEvents: PipelineEvents;
  /** How `POST /intake/{source}` checks and maps what the tools send; absent, every intake request is 401. */
  intake?: IntakeSetup;
  /**
   * Requests without an authorizer context (no JWT) act as `admin`. Only the local runtime sets it: it
   * has no authorizer and listens on 127.0.0.1. Absent or false, such requests are refused (401).
   */
  localAdmin?: boolean;
}

/** Where a tool's requests are checked: the signature schemes of each source, from its secret. */
export interface IntakeCredentials {
  /**
   * The schemes a source's requests must pass (none configured: every request is `missing`), or
   * `unsigned` where the operator chose to take unsigned intake (a local runtime without secrets).
   */
  schemesFor(source: HttpIntakeSource): Promise<readonly AuthScheme[] | 'unsigned'>;
}

export interface IntakeSetup {
  credentials: IntakeCredentials;
  /** Severity and effect per source and node. */
  config?: IntakeConfig;
}

/** A request as a handler sees it: parameters already checked against its schemas. */
export interface Parsed<P, Q> {
  params: P;
  query: Q;
  /** The JSON body, for handlers that take one (`body: 'json'`, or `'optional-json'` and sent); undefined otherwise. */
  body: unknown;
  /** Who is calling (the router has checked their role against the route's); absent on routes the tool signs (intake). */
  caller?: Caller;
}

export interface RawRequest {
  event: APIGatewayProxyEventV2;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** `METHOD /path/{param}` of the route, for messages. */
  where: string;
  caller?: Caller;
}

export interface Endpoint<R = unknown> {
  /** Names of the path parameters the handler reads (the route's `{params}` must be exactly these). */
  readonly paramNames: readonly string[];
  /** Whether it reads a JSON body (required, or optional: `'optional-json'`). */
  readonly takesBody: boolean;
  /** 200 unless the handler says otherwise (POST /events answers 202: accepted, not yet processed). */
  readonly status: 200 | 202;
  run(request: RawRequest, deps: ApiDependencies): Promise<R>;
}

const NONE = z.object({}).strict();

export const endpoint = <R, P extends z.ZodObject = typeof NONE, Q extends z.ZodObject = typeof NONE>(
  spec: { params?: P; query?: Q; body?: 'json' | 'optional-json'; status?: 202 },
  handle: (request: Parsed<z.output<P>, z.output<Q>>, deps: ApiDependencies) => Promise<R>,
): Endpoint<R> => {
  // Strict: a parameter the route does not take is a mistake worth naming (`segmnt=gold`), not ignored.
  const paramsSchema = (spec.params ?? NONE).strict();
  const querySchema = (spec.query ?? NONE).strict();
  return {
    paramNames: Object.keys(paramsSchema.shape),
    takesBody: spec.body !== undefined,
    status: spec.status ?? 200,
    run: async (request, deps) => {
      const params = parseParameters(paramsSchema, request.params, request.where) as z.output<P>;
      const query = parseParameters(querySchema, request.query, request.where) as z.output<Q>;
      const body = spec.body === undefined ? undefined : jsonBody(request.event, { optional: spec.body === 'optional-json' });
      return handle({ params, query, body, ...(request.caller ? { caller: request.caller } : {}) }, deps);
    },
  };
};
