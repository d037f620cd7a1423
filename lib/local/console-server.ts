/**
 * The local HTTP server on :3000: the support console's static files (web/), the API handler under
 * /api (the Lambda handler, fed API Gateway v2 events), and /api/outbox, the console's view of local
 * SNS. Every answer carries the console's security headers: a strict Content-Security-Policy (scripts,
 * styles and connections only from this origin, no framing), nosniff, X-Frame-Options DENY. API
 * bodies are limited to 1 MB (413), read with a streaming limit. Until the runtime is ready (DynamoDB
 * Local booting, the first-run import) the API answers 503 and the console already loads.
 */
import { isUtf8 } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BodyTooLargeError, answerAndClose, readBody, requestTarget, safeServer } from './http.ts';
import type { Log } from './log.ts';
import { outboxView } from './outbox.ts';

export const MAX_API_BODY_BYTES = 1024 * 1024;
export const MAX_OUTBOX_LIMIT = 500;

export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface ConsoleServer {
  server: Server;
  /** Connects the API handler once the runtime is ready. */
  setApi: (api: ApiHandler) => void;
}

const send = (res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
  res.writeHead(status, { ...SECURITY_HEADERS, 'cache-control': 'no-store', ...headers });
  res.end(body);
};
const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });

/** An API Gateway HTTP API (payload 2.0) event for a request, as the Lambda behind it receives it. */
export const toApiEvent = (req: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEventV2 => {
  const headers = Object.fromEntries(Object.entries(req.headersDistinct).map(([k, v]) => [k, (v ?? []).join(',')]));
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(headers.cookie ? { cookies: headers.cookie.split(/;\s*/) } : {}),
    ...(url.search ? { queryStringParameters: query } : {}),
    // As API Gateway does: text as it is, anything else base64 (an intake signature is over these exact bytes).
    ...(body.length > 0 ? { body: isUtf8(body) ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isUtf8(body),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
  };
};

const serveOutbox = (res: ServerResponse, url: URL, outboxFile: string) => {
  const raw = url.searchParams.get('limit');
  const limit = raw === null ? 50 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_OUTBOX_LIMIT) {
    return sendJson(res, 400, {
      error: 'bad request',
      problems: [{ field: 'limit', message: `${JSON.stringify(raw)} is not a whole number from 1 to ${MAX_OUTBOX_LIMIT}; leave it out for the last 50` }],
    });
  }
  sendJson(res, 200, { messages: outboxView(outboxFile, limit) });
};

const serveApi = async (req: IncomingMessage, res: ServerResponse, url: URL, api: ApiHandler | undefined) => {
  if (!api) return sendJson(res, 503, { error: 'the runtime is starting (DynamoDB Local, first-run import); try again in a moment' }, { 'retry-after': '5' });
  let body: Buffer;
  try {
    body = await readBody(req, MAX_API_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return answerAndClose(
      res,
      413,
      { ...SECURITY_HEADERS, 'content-type': 'application/json' },
      JSON.stringify({ error: `request body over ${MAX_API_BODY_BYTES} bytes (1 MB), the API's limit: send less` }),
    );
  }
  const result = await api(toApiEvent(req, url, body));
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  send(res, result.statusCode ?? 200, result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''), headers);
};

const serveStatic = async (res: ServerResponse, url: URL, webRoot: string) => {
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return send(res, 400, 'bad request: the path is not valid percent-encoding', { 'content-type': 'text/plain; charset=utf-8' });
  }
  // normalize() of an absolute path cannot climb above it; the prefix check is the second guard.
  const file = join(webRoot, normalize(path === '/' ? '/index.html' : path));
  const found = file.startsWith(webRoot + sep) && (await stat(file).catch(() => undefined))?.isFile();
  if (!found) return send(res, 404, 'not found', { 'content-type': 'text/plain; charset=utf-8' });
  send(res, 200, await readFile(file), { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
};

export const consoleServer = (options: { webRoot: string; outboxFile: string; log: Log }): ConsoleServer => {
  let api: ApiHandler | undefined;
  const server = safeServer(
    'console',
    async (req, res) => {
      const url = requestTarget(req);
      if (!url) return sendJson(res, 400, { error: `bad request target ${JSON.stringify((req.url ?? '').slice(0, 100))}: give a path such as /api/subjects` });
      if (url.pathname === '/api/outbox') return serveOutbox(res, url, options.outboxFile);
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return serveApi(req, res, url, api);
      return serveStatic(res, url, options.webRoot);
    },
    options.log,
    (message) => ({ headers: { ...SECURITY_HEADERS, 'content-type': 'application/json' }, body: JSON.stringify({ error: message }) }),
  );
  return { server, setApi: (handler) => (api = handler) };
};
