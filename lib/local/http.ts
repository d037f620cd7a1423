/**
 * What every local HTTP endpoint shares: a body read with a streaming limit (it stops reading and
 * answers once the limit is passed, so no body is ever held whole), request targets parsed without
 * trusting them, a handler wrapper that turns any error into a 500 instead of a dead process, and
 * listening with an error a person can act on when the port is taken.
 */
import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { describeError, type Log } from './log.ts';

export class BodyTooLargeError extends Error {
  readonly limit: number;

  constructor(limit: number, options?: ErrorOptions) {
    super(`request body over ${limit} bytes`, options);
    this.name = 'BodyTooLargeError';
    this.limit = limit;
  }
}

/**
 * Reads a request body of at most `limit` bytes. A declared Content-Length over the limit is refused
 * before reading; otherwise reading stops at the first chunk past the limit.
 */
export const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) return reject(new BodyTooLargeError(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLargeError(limit));
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });

/** How long a refused upload is still drained (read and dropped) after the answer went out. */
const LINGER_MS = 2_000;

/**
 * Answers a request refused before its body was read (too large) and closes the connection. The rest
 * of the body is dropped unread for a moment after the answer (a lingering close): a socket closed
 * while data still arrives is reset by the kernel, and the reset can destroy the answer before the
 * client has read it. The answer is written on the socket itself because Node's own close after a
 * `Connection: close` response is immediate.
 */
export const answerAndClose = (res: ServerResponse, status: number, headers: Record<string, string>, body: string): void => {
  const socket = res.req.socket;
  const head = Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('')}\r\n${body}`);
  res.req.removeAllListeners('data');
  res.req.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
};

/** The path and query of a request target, or undefined when it is not one (`//`, `http:`, ...). */
export const requestTarget = (req: IncomingMessage): URL | undefined => {
  const target = req.url ?? '/';
  if (!target.startsWith('/')) return undefined;
  try {
    // Parsed against a fixed origin as a path: a target such as `//host/x` stays a path on this server.
    return new URL(`http://local${target}`);
  } catch {
    return undefined;
  }
};

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * An HTTP server whose handler can fail in any way without taking the process down: an error is logged
 * (one line, no contact details) and the request gets a 500 if nothing was sent yet.
 */
export const safeServer = (
  name: string,
  handler: RequestHandler,
  log: Log,
  errorBody: (message: string) => { headers: Record<string, string>; body: string },
): Server =>
  createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      log(`${name}: ${req.method} ${(req.url ?? '').slice(0, 200)} failed: ${describeError(error)}`);
      if (res.headersSent) return void res.destroy();
      const { headers, body } = errorBody('internal error; the runtime logged it and carries on');
      res.writeHead(500, headers);
      res.end(body);
    });
  }).on('clientError', (_error, socket) => {
    // Malformed HTTP (bad request line, headers too large): answered like Node's default, never thrown.
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

export class PortInUseError extends Error {
  readonly port: number;

  constructor(what: string, port: number, flag: string, options?: ErrorOptions) {
    super(`the ${what} port ${port} (127.0.0.1:${port}) is in use by another program: stop it, or choose another port with ${flag} N`, options);
    this.name = 'PortInUseError';
    this.port = port;
  }
}

/** How long a taken port is tried again before it is reported: an outgoing connection may hold it briefly. */
const PORT_RETRY_MS = 3_000;

const listenOnce = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });

/**
 * Listens on 127.0.0.1; a taken port becomes a PortInUseError naming it and the flag that changes it.
 * It is tried again for a few seconds first: right after a kill -9, a port picked earlier can be held
 * for a moment by some program's outgoing connection (the kernel hands out the same range).
 */
export const listen = async (server: Server, port: number, what: string, flag: string): Promise<number> => {
  const deadline = Date.now() + PORT_RETRY_MS;
  for (;;) {
    try {
      return await listenOnce(server, port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      if (port === 0 || Date.now() > deadline) throw new PortInUseError(what, port, flag, { cause: error });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
};

export const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
