/**
 * What every local HTTP endpoint shares: a body read with a streaming limit (it stops reading and
 * answers once the limit is passed, so no body is ever held whole), request targets parsed without
 * trusting them, a handler wrapper that turns any error into a 500 instead of a dead process, and
 * listening with an error a person can act on when the port is taken.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/**
 * Answers and closes the connection without reading the rest of the body: for a request refused
 * before its body was read (too large), so the client stops sending.
 */
export const answerAndClose = (res: ServerResponse, status: number, headers: Record<string, string>, body: string): void => {
  res.shouldKeepAlive = false;
  res.writeHead(status, { ...headers, connection: 'close' });
  res.end(body, () => res.req.socket.destroySoon());
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
export const safeServer = (name: string, handler: RequestHandler, log: Log, errorBody: (message: string) => { headers: Record<string, string>; body: string }): Server =>
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
  });

export class PortInUseError extends Error {
  readonly port: number;

  constructor(what: string, port: number, flag: string, options?: ErrorOptions) {
    super(`the ${what} port ${port} (127.0.0.1:${port}) is in use by another program: stop it, or choose another port with ${flag} N`, options);
    this.name = 'PortInUseError';
    this.port = port;
  }
}

/** Listens on 127.0.0.1; a taken port becomes a PortInUseError naming it and the flag that changes it. */
export const listen = (server: Server, port: number, what: string, flag: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(what, port, flag, { cause: error }) : error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    });
  });

export const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
