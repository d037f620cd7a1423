/**
 * Requests that once stopped the whole runtime (issue 17), sent to `npm start` as a real process:
 * after each one the process must still run and answer, and each gets the answer the real service gives.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { killJavaFor, startRuntime, type RuntimeProcess } from './runtime-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'impact-hostile-'));
writeFileSync(
  join(dir, 'graph.yaml'),
  'components: [{ id: db }]\ntouchpoints: [{ id: web, channel: web, dependsOn: [db] }]\ncustomers:\n  - { id: C-1, contacts: { email: one@example.com }, uses: [web] }\n',
);
let runtime: RuntimeProcess;
let eventsPort: number;
let apiPort: number;

beforeAll(async () => {
  [eventsPort, apiPort] = [await freePort(), await freePort()];
  runtime = await startRuntime([
    '--data-dir',
    join(dir, 'data'),
    '--events-port',
    String(eventsPort),
    '--api-port',
    String(apiPort),
    '--graph',
    join(dir, 'graph.yaml'),
  ]);
}, 120_000);
afterAll(async () => {
  runtime?.proc.kill('SIGTERM');
  await runtime?.exited;
  killJavaFor(dir);
});

/** The runtime process is still there and still answers both its ports. */
const stillRunning = async () => {
  expect(runtime.proc.exitCode, runtime.output()).toBeNull();
  expect((await fetch(`http://127.0.0.1:${apiPort}/api/subjects`)).status).toBe(200);
  expect((await putEvents({ Entries: [{ Source: 'test', DetailType: 'Ping', Detail: '{}' }] })).status).toBe(200);
};

const putEvents = (body: unknown) =>
  fetch(`http://127.0.0.1:${eventsPort}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/**
 * Sends a request over a raw socket (no URL normalisation, no body buffering): the head as given, then
 * `bodyBytes` of body in 64 KB pieces (chunk-framed when `chunked`), honouring back-pressure and
 * stopping as soon as an answer has come or the server closed. Resolves with the status line and how
 * much body was sent.
 */
const raw = (port: number, head: string, body: { bytes: number; chunked?: boolean } = { bytes: 0 }): Promise<{ statusLine: string; sent: number }> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let sent = 0;
    let closed = false;
    const piece = Buffer.alloc(64 * 1024, 'a');
    const finish = () => {
      closed = true;
      resolve({ statusLine: response.split('\r\n')[0], sent });
    };
    socket.on('data', (d) => {
      response += d.toString();
      // The status line is all the tests look at: done once it is in.
      if (response.includes('\r\n') && !closed) {
        finish();
        socket.destroy();
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      response ? finish() : reject(new Error(`connection failed before any answer (${error.code} after ${sent} bytes)`)),
    );
    socket.on('close', () => !closed && finish());
    socket.on('connect', async () => {
      socket.write(head);
      while (sent < body.bytes && !response && !closed) {
        const data = piece.subarray(0, Math.min(piece.length, body.bytes - sent));
        sent += data.length;
        const framed = body.chunked ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data;
        if (!socket.write(framed)) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
    });
    setTimeout(() => socket.destroy(), 60_000).unref();
  });

describe('requests that once stopped the runtime', () => {
  it('a path that is not a valid URL (curl --path-as-is //) gets an answer, not a crash', async () => {
    for (const path of ['//', '///api//subjects', '//evil.example/x', '/%', '/..%2f..%2fpackage.json']) {
      const { statusLine } = await raw(apiPort, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect(statusLine, path).toMatch(/^HTTP\/1\.1 (200|400|404) /);
    }
    const { statusLine } = await raw(
      eventsPort,
      'POST // HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AWSEvents.PutEvents\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
    );
    expect(statusLine).toMatch(/^HTTP\/1\.1 400 /);
    await stillRunning();
  });

  it('PutEvents bodies of the wrong shape get the error EventBridge gives, 400 with its __type', async () => {
    const cases: [string, string][] = [
      ['null', 'SerializationException'],
      ['{"Entries":"x"}', 'SerializationException'],
      ['{"Entries":[null]}', 'ValidationException'],
      ['{"Entries":[]}', 'ValidationException'],
      [JSON.stringify({ Entries: Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' })) }), 'ValidationException'],
      ['{"Entries":[{"Source":5,"DetailType":"d","Detail":"{}"}]}', 'SerializationException'],
      ['not json', 'SerializationException'],
      ['[1,2]', 'SerializationException'],
    ];
    for (const [body, type] of cases) {
      const res = await putEvents(body);
      expect(res.status, body).toBe(400);
      const answer = await res.json();
      expect(answer.__type, body).toBe(type);
      expect(answer.message, body).toMatch(/entries|Entries|JSON/);
    }
    await stillRunning();
  });

  it('an entry with a Time that is no time gets its own InvalidArgument error; the other entry is accepted', async () => {
    for (const Time of ['garbage', 1e20, -1e20, true]) {
      const res = await putEvents({
        Entries: [
          { Source: 'test', DetailType: 'Ping', Detail: '{}', Time },
          { Source: 'test', DetailType: 'Ping', Detail: '{}' },
        ],
      });
      expect(res.status, String(Time)).toBe(200);
      const answer = await res.json();
      expect(answer.FailedEntryCount, String(Time)).toBe(1);
      expect(answer.Entries[0], String(Time)).toEqual({ ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('Time') });
      expect(answer.Entries[1].EventId).toBeTruthy();
    }
    await stillRunning();
  });

  it('a 600 MB body to POST /api/events is refused with 413 after the first megabyte, never buffered whole', async () => {
    const bytes = 600 * 1024 * 1024;
    const declared = await raw(apiPort, `POST /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`, {
      bytes,
    });
    expect(declared.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(declared.sent).toBeLessThan(bytes / 10);
    // Without a Content-Length (chunked), the limit is found while reading.
    const chunked = await raw(apiPort, 'POST /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', {
      bytes,
      chunked: true,
    });
    expect(chunked.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(chunked.sent).toBeLessThan(bytes / 10);
    await stillRunning();
  }, 120_000);

  it('PutEvents over 1 MB is refused with 413; an entry over 256 KB gets its own error', async () => {
    const big = {
      Entries: [
        { Source: 'test', DetailType: 'Ping', Detail: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }) },
        { Source: 'test', DetailType: 'Ping', Detail: '{}' },
      ],
    };
    const answer = await (await putEvents(big)).json();
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries[0]).toEqual({ ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('256 KB') });
    expect(answer.Entries[1].EventId).toBeTruthy();
    const bytes = 5 * 1024 * 1024;
    const result = await raw(
      eventsPort,
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AWSEvents.PutEvents\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${bytes}\r\n\r\n`,
      { bytes },
    );
    expect(result.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    await stillRunning();
  });

  it('the console and the API answer with a strict CSP, nosniff and no framing', async () => {
    for (const path of ['/', '/app.js', '/api/subjects', '/api/outbox', '/nope']) {
      const res = await fetch(`http://127.0.0.1:${apiPort}${path}`);
      expect(res.headers.get('content-security-policy'), path).toMatch(/script-src 'self'(;|$)/);
      expect(res.headers.get('content-security-policy'), path).toMatch(/default-src 'self'/);
      expect(res.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });

  it('the outbox view refuses a limit that is not 1..500 instead of returning everything', async () => {
    for (const limit of ['-1', '0', '501', 'abc', '1.5']) {
      const res = await fetch(`http://127.0.0.1:${apiPort}/api/outbox?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      // The API's 400 shape: every problem named with its field and the bad value.
      expect((await res.json()).problems, limit).toEqual([{ field: 'limit', message: expect.stringContaining(`"${limit}"`) }]);
    }
    expect((await fetch(`http://127.0.0.1:${apiPort}/api/outbox?limit=500`)).status).toBe(200);
  });
});
