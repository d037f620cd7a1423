/**
 * Both HTTP endpoints of the local runtime under any input, over real HTTP on free ports: the PutEvents
 * endpoint (stored through the real local bus and inbox) and the console/API server (the real API
 * handler over DynamoDB Local). Every request gets an answer the service documents, never a 500, and the
 * server goes on answering.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiHandler } from '../../functions/handlers/api.ts';
import { LocalBus } from '../../lib/local/bus.ts';
import { consoleServer } from '../../lib/local/console-server.ts';
import { DeadLetterFile } from '../../lib/local/dead-letters.ts';
import { eventEndpoint } from '../../lib/local/event-endpoint.ts';
import { close, listen } from '../../lib/local/http.ts';
import { Inbox } from '../../lib/local/inbox.ts';
import { LocalCredentials } from '../../lib/local/intake.ts';
import { openLocalStore } from '../../lib/local/store.ts';
import { graphOf } from '../support/graphs.ts';
import { context, pipeline } from '../support/pipeline.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const servers: Server[] = [];
let eventsPort: number;
let apiPort: number;
let p: Awaited<ReturnType<typeof pipeline>>;
const logged: string[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'impact-fuzz-'));
  const bus = new LocalBus(new Inbox(openLocalStore(':memory:'), new DeadLetterFile(join(dir, 'dead-letters.jsonl'))), (l) => logged.push(l));
  const events = eventEndpoint(
    (entries) => void bus.putOnBuses(entries),
    (l) => logged.push(l),
  );
  p = await pipeline(() => Date.parse('2026-11-28T14:00:00Z'));
  // The nodes carry the tool names the shipped intake examples use, so that some fuzzed payloads map to events.
  const db = { id: 'db', ci: ['ivr-platform-01'], services: ['PLOUNGE', 'Partner API'], alerts: [{ alertname: 'SipTrunkDown', carrier: 'voip-eu' }] };
  await p.deps.graph.import(
    graphOf({
      components: [db],
      touchpoints: [{ id: 'web', channel: 'web', dependsOn: ['db'] }],
      customers: [{ id: 'C-1', contacts: { email: 'c1@example.com' }, uses: ['web'] }],
    }),
  );
  // As the local runtime builds it: intake from every tool, unsigned (no secrets in impact.local.json), Jira's fields named as in the README.
  const api = buildApiHandler({
    ...p.deps,
    localAdmin: true,
    submit: async (events) =>
      void bus.put(
        'impact',
        events.map((e) => ({ source: e.source, detailType: e['detail-type'], detail: e.detail })),
      ),
    intake: {
      credentials: new LocalCredentials({}),
      config: { jira: { fields: { plannedStart: 'customfield_10015', plannedEnd: 'customfield_10016', affectedServices: 'customfield_10043' } } },
    },
  });
  const web = consoleServer({ webRoot: join(ROOT, 'web'), outboxFile: join(dir, 'outbox.jsonl'), log: (l) => logged.push(l) });
  web.setApi(async (event) => api(event, context));
  servers.push(events, web.server);
  [eventsPort, apiPort] = [await listen(events, 0, 'events', '--events-port'), await listen(web.server, 0, 'api', '--api-port')];
});
afterAll(async () => {
  await Promise.all(servers.map(close));
  p?.aws.restore();
});

/** One request as a client may send it: the target as given (no normalisation), any method, headers and body. */
const send = (port: number, method: string, path: string, headers: Record<string, string>, body: string) =>
  new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });

// Path characters a client can put on the wire: letters, digits, the specials of paths and queries, and %-escapes, valid or not.
const pathChar = fc.oneof(
  fc.constantFrom('/', '/', '.', '..', '%', '%2F', '%E0%A4%A', '%00', '?', '&', '=', '#', '~', ';', ':', '@', '+', '-', '_', '*'),
  fc.stringMatching(/^[A-Za-z0-9]{0,6}$/),
);
const path = fc
  .oneof(
    fc.constantFrom(
      '/',
      '//',
      '/api',
      '/api/',
      '/api/outbox',
      '/index.html',
      '/app.js',
      '/../package.json',
      '/api/subjects',
      '/api/subjects/change/CHG-1',
      '/api/customers/C-1',
      '/api/touchpoints/web',
      '/api/events',
      '/api/what-if',
      '/api/assess',
      '/api/metrics',
      '/api/drafts',
      '/api/me',
      '/api/subjects/change/CHG-1/approve',
      '/api/intake/servicenow',
      '/api/intake/pagerduty',
      '/api/intake/nope',
    ),
    fc.array(pathChar, { maxLength: 8 }).map((parts) => `/${parts.join('')}`),
  )
  .chain((base) =>
    fc.oneof(
      fc.constant(base),
      fc
        .dictionary(
          fc.constantFrom('limit', 'cursor', 'from', 'to', 'status', 'effect', 'segment', 'x'),
          fc.oneof(fc.constantFrom('-1', '0', '501', '50', 'abc', '1e3', '', '2026-12-05T00:00:00Z'), fc.stringMatching(/^[A-Za-z0-9%.-]{0,8}$/)),
          { maxKeys: 3 },
        )
        .map(
          (q) =>
            `${base}?${Object.entries(q)
              .map(([k, v]) => `${k}=${v}`)
              .join('&')}`,
        ),
    ),
  );

describe('the console and API server under any request', () => {
  it('answers each with a documented status, never a 500, and keeps answering', async () => {
    const body = fc.oneof(
      fc.constant(''),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      fc.string({ maxLength: 200 }),
      fc.record({ 'detail-type': fc.constantFrom('Change Scheduled', 'Incident Opened', 'Nope'), detail: fc.jsonValue() }).map((v) => JSON.stringify(v)),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/vnd.api+json',
      '',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'),
        path,
        body,
        contentType,
        async (method, target, payload, type) => {
          const res = await send(apiPort, method, target, type ? { 'content-type': type } : {}, method === 'GET' || method === 'HEAD' ? '' : payload);
          expect([200, 202, 400, 401, 403, 404, 405, 413, 415], `${method} ${target} (${type}) -> ${res.status} ${res.body.slice(0, 200)}`).toContain(
            res.status,
          );
          expect(res.headers['x-content-type-options']).toBe('nosniff');
        },
      ),
      { numRuns: 400 },
    );
    expect((await send(apiPort, 'GET', '/api/subjects', {}, '')).status).toBe(200);
    expect(logged.filter((l) => l.startsWith('console'))).toEqual([]);
  });
});

/** The shipped example payload of each tool, as a tool sends it (examples/airline/intake). */
const EXAMPLES = {
  servicenow: 'servicenow-change',
  jira: 'jira-change',
  pagerduty: 'pagerduty-incident-triggered',
  alertmanager: 'alertmanager-firing',
} as const;
const exampleOf = (source: keyof typeof EXAMPLES): unknown =>
  JSON.parse(readFileSync(join(ROOT, 'examples/airline/intake', `${EXAMPLES[source]}.json`), 'utf8'));

/** Every path to a value inside a JSON document (objects and arrays included), root first. */
const pathsOf = (value: unknown, at: (string | number)[] = []): (string | number)[][] =>
  value !== null && typeof value === 'object'
    ? [at, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, Array.isArray(value) ? Number(k) : k]))]
    : [at];

/** The document with the value at `path` replaced (a copy). */
const replaced = (doc: unknown, path: (string | number)[], value: unknown): unknown => {
  if (path.length === 0) return value;
  const copy = (Array.isArray(doc) ? [...doc] : { ...(doc as object) }) as Record<string | number, unknown>;
  copy[path[0]] = replaced(copy[path[0]], path.slice(1), value);
  return copy;
};

describe('the intake webhook under any payload', () => {
  it("answers a tool's payload, however mangled, with 202 or a 400 naming the problem, never a 500", async () => {
    const payload = fc.constantFrom(...(Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[])).chain((source) => {
      const example = exampleOf(source);
      const mutation = fc.tuple(
        fc.constantFrom(...pathsOf(example)),
        fc.oneof(fc.jsonValue(), fc.string({ maxLength: 30 }), fc.constantFrom(null, '', 'garbage', '2026-13-45 99:99:99', -1, 1e21)),
      );
      return fc.tuple(
        fc.constant(source),
        fc.array(mutation, { maxLength: 3 }).map((ms) => ms.reduce((doc, [path, value]) => replaced(doc, path, value), example)),
      );
    });
    await fc.assert(
      fc.asyncProperty(payload, async ([source, body]) => {
        const res = await send(apiPort, 'POST', `/api/intake/${source}`, { 'content-type': 'application/json' }, JSON.stringify(body));
        expect([202, 400], `${source} ${JSON.stringify(body).slice(0, 300)} -> ${res.status} ${res.body.slice(0, 300)}`).toContain(res.status);
        if (res.status === 400) expect(res.body.length).toBeGreaterThan(20);
      }),
      { numRuns: 300 },
    );
    // The unmangled examples map to events on this graph: the property reaches the mappers' whole way.
    for (const source of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]) {
      const res = await send(apiPort, 'POST', `/api/intake/${source}`, { 'content-type': 'application/json' }, JSON.stringify(exampleOf(source)));
      expect(res.status, `${source}: ${res.body.slice(0, 300)}`).toBe(202);
    }
  });
});

describe('the PutEvents endpoint under any request', () => {
  it('answers as EventBridge does (200 with an EventId or an error per entry, or a 400/413 naming the problem), never a 500', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('acme', 'Change Scheduled', 'impact', 'default', 'arn:aws:events:eu-west-1:1:event-bus/impact', ''),
    );
    const entry = fc.oneof(
      fc.record(
        {
          Source: fc.oneof(text, fc.jsonValue()),
          DetailType: fc.oneof(text, fc.jsonValue()),
          Detail: fc.oneof(
            fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
            text,
            fc.jsonValue(),
          ),
          EventBusName: fc.oneof(text, fc.jsonValue()),
          Time: fc.oneof(fc.double(), fc.integer(), text, fc.jsonValue()),
          Resources: fc.oneof(fc.array(text, { maxLength: 2 }), fc.jsonValue()),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    );
    const request = fc.oneof(
      fc
        .record({ Entries: fc.oneof(fc.array(entry, { maxLength: 12 }), fc.jsonValue()), EndpointId: fc.jsonValue() }, { requiredKeys: [] })
        .map((r) => JSON.stringify(r)),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      fc.string({ maxLength: 100 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'GET', 'PUT'),
        fc.constantFrom('/', '//', '/x?y'),
        fc.constantFrom('AWSEvents.PutEvents', 'AWSEvents.PutEvents', 'AWSEvents.ListRules', ''),
        request,
        async (method, target, amzTarget, payload) => {
          const res = await send(
            eventsPort,
            method,
            target,
            { 'content-type': 'application/x-amz-json-1.1', ...(amzTarget ? { 'x-amz-target': amzTarget } : {}) },
            payload,
          );
          expect([200, 400, 413], `${amzTarget} ${payload.slice(0, 200)} -> ${res.status} ${res.body.slice(0, 200)}`).toContain(res.status);
          const answer = JSON.parse(res.body) as {
            __type?: string;
            message?: string;
            Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
            FailedEntryCount?: number;
          };
          if (res.status === 200) {
            const sent = (JSON.parse(payload) as { Entries: unknown[] }).Entries;
            expect(answer.Entries).toHaveLength(sent.length);
            for (const e of answer.Entries!) expect(e.EventId ? typeof e.EventId : `${e.ErrorCode}: ${e.ErrorMessage}`).toMatch(/^string$|^\w+: .+/);
            expect(answer.FailedEntryCount).toBe(answer.Entries!.filter((e) => !e.EventId).length);
          } else {
            expect(answer.__type).toMatch(/Exception$/);
            expect(answer.message?.length).toBeGreaterThan(10);
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(logged.filter((l) => l.startsWith('events endpoint'))).toEqual([]);
  });
});
