import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleServer, type ApiHandler } from '../../../lib/local/console-server.ts';
import { eventEndpoint } from '../../../lib/local/event-endpoint.ts';
import { PortInUseError, close, listen } from '../../../lib/local/http.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});
const serve = async (server: Server) => {
  servers.push(server);
  return `http://127.0.0.1:${await listen(server, 0, 'test', '--test-port')}`;
};

const webRoot = mkdtempSync(join(tmpdir(), 'impact-web-'));
writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>console</title>');
const outboxFile = join(webRoot, 'no-outbox.jsonl');

describe('console server: a handler failure is a 500, never a stopped process', () => {
  it('an API handler that throws or rejects gets a 500 without its message, is logged without contact details, and the next request is served', async () => {
    const logged: string[] = [];
    const web = consoleServer({ webRoot, outboxFile, log: (l) => logged.push(l) });
    const url = await serve(web.server);
    let calls = 0;
    web.setApi(async () => {
      calls++;
      if (calls === 1) throw new Error('lookup of jane@example.com failed');
      if (calls === 2) return Promise.reject(new TypeError('undefined is not a function'));
      return { statusCode: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } };
    });
    const first = await fetch(`${url}/api/customers/C-1`);
    expect(first.status).toBe(500);
    expect(await first.text()).not.toContain('jane@example.com');
    expect((await fetch(`${url}/api/subjects`)).status).toBe(500);
    const third = await fetch(`${url}/api/subjects`);
    expect(third.status).toBe(200);
    expect(await third.json()).toEqual({ ok: true });
    expect(logged).toHaveLength(2);
    expect(logged[0]).toContain('<e-mail>');
    expect(logged.join('\n')).not.toContain('jane@example.com');
  });

  it('answers 503 on /api until the API is connected, while the console already loads', async () => {
    const web = consoleServer({ webRoot, outboxFile, log: () => undefined });
    const url = await serve(web.server);
    const api = await fetch(`${url}/api/subjects`);
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('5');
    expect((await fetch(`${url}/`)).status).toBe(200);
  });

  it('hands the API handler an API Gateway v2 event with the request headers, query and body', async () => {
    const web = consoleServer({ webRoot, outboxFile, log: () => undefined });
    const url = await serve(web.server);
    let seen: APIGatewayProxyEventV2 | undefined;
    const api: ApiHandler = async (event) => {
      seen = event;
      return { statusCode: 202, body: '{}' };
    };
    web.setApi(api);
    const res = await fetch(`${url}/api/events?a=1&a=2&b=x`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer t' },
      body: 'detail-type=x',
    });
    expect(res.status).toBe(202);
    expect(seen).toMatchObject({
      version: '2.0',
      rawPath: '/api/events',
      rawQueryString: 'a=1&a=2&b=x',
      queryStringParameters: { a: '1,2', b: 'x' },
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer t' },
      body: 'detail-type=x',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/api/events' } },
    });
  });

  it('serves only files under web/: a traversal or a directory is a 404, bad percent-encoding a 400', async () => {
    const web = consoleServer({ webRoot, outboxFile, log: () => undefined });
    const url = await serve(web.server);
    expect((await fetch(`${url}/`)).headers.get('content-type')).toContain('text/html');
    for (const path of ['/..%2f..%2fetc%2fpasswd', '/%2e%2e/package.json', '/nope.js']) expect((await fetch(`${url}${path}`)).status, path).toBe(404);
    expect((await fetch(`${url}/%E0%A4%A`)).status).toBe(400);
  });
});

describe('events endpoint: acknowledged means stored', () => {
  it('when storing fails, PutEvents answers 500 InternalException (the SDK retries) and acknowledges nothing', async () => {
    const logged: string[] = [];
    const url = await serve(
      eventEndpoint(
        () => {
          throw new Error('database is locked');
        },
        (l) => logged.push(l),
      ),
    );
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents' },
      body: JSON.stringify({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }),
    });
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.__type).toBe('InternalException');
    expect(JSON.stringify(body)).not.toContain('EventId');
    expect(logged.join('\n')).toContain('database is locked');
  });

  it('entries go to the bus they name, with an EventId per stored entry; an unknown bus is an entry error', async () => {
    const stored: { bus: string; id?: string }[][] = [];
    const url = await serve(
      eventEndpoint(
        (entries) => void stored.push(entries.map((e) => ({ bus: e.bus, id: e.event.id }))),
        () => undefined,
      ),
    );
    const entry = (EventBusName?: string) => ({ Source: 's', DetailType: 'd', Detail: '{}', ...(EventBusName ? { EventBusName } : {}) });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents' },
      body: JSON.stringify({ Entries: [entry('impact'), entry(), entry('arn:aws:events:eu-west-1:123456789012:event-bus/impact'), entry('impacts')] }),
    });
    const out = await res.json();
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries[3]).toEqual({ ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('impacts does not exist') });
    // One store step for the whole request, each entry on the bus it named.
    expect(stored).toEqual([
      [
        { bus: 'impact', id: out.Entries[0].EventId },
        { bus: 'default', id: out.Entries[1].EventId },
        { bus: 'impact', id: out.Entries[2].EventId },
      ],
    ]);
  });
});

describe('listening', () => {
  it('a port in use is a PortInUseError naming the port and the flag that changes it', async () => {
    const url = await serve(consoleServer({ webRoot, outboxFile, log: () => undefined }).server);
    const port = Number(new URL(url).port);
    const second = consoleServer({ webRoot, outboxFile, log: () => undefined }).server;
    const error = await listen(second, port, 'API and console', '--api-port').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortInUseError);
    expect((error as PortInUseError).message).toBe(
      `the API and console port ${port} (127.0.0.1:${port}) is in use by another program: stop it, or choose another port with --api-port N`,
    );
    expect((error as PortInUseError).cause).toMatchObject({ code: 'EADDRINUSE' });
  });

  it('a port held only for a moment (an outgoing connection right after a kill -9) is waited for, not reported', async () => {
    const holder = createServer();
    const port = await listen(holder, 0, 'test', '--test-port');
    setTimeout(() => void close(holder), 600);
    const server = consoleServer({ webRoot, outboxFile, log: () => undefined }).server;
    servers.push(server);
    const started = Date.now();
    expect(await listen(server, port, 'API and console', '--api-port')).toBe(port);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });
});
