/**
 * An EventBridge-compatible PutEvents endpoint (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`):
 * the AWS CLI and SDK work against it unchanged. Each entry gets an EventId or a per-entry error, as
 * EventBridge answers; accepted events are routed with lib/routes.ts and delivered asynchronously.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { routesFor, type RouteName } from '../routes.ts';

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export type Deliver = (route: RouteName, event: BusEvent) => void;

interface Entry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: string | number;
  Resources?: string[];
}

const entryError = (entry: Entry): string | undefined => {
  if (!entry.Source) return 'Parameter Source is not valid. Reason: Source is a required argument.';
  if (!entry.DetailType) return 'Parameter DetailType is not valid. Reason: DetailType is a required argument.';
  if (!entry.Detail) return 'Parameter Detail is not valid. Reason: Detail is a required argument.';
  try {
    const detail = JSON.parse(entry.Detail);
    if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return 'Detail is malformed: it must be a JSON object.';
  } catch {
    return 'Detail is malformed.';
  }
  if (Buffer.byteLength(JSON.stringify(entry)) > 256 * 1024) return 'Entry exceeds the 256 KB size limit.';
  return undefined;
};

/** Routes one event through the buses: forwarding rules put it on the impact bus, others deliver. */
export const routeEvent = (bus: 'impact' | 'default', event: BusEvent, deliver: Deliver): void => {
  for (const route of routesFor(bus, event as unknown as Record<string, unknown>)) {
    if (route === 'forwardAlarms') routeEvent('impact', event, deliver);
    else deliver(route, event);
  }
};

export const startEventEndpoint = (port: number, deliver: Deliver): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
          res.end(JSON.stringify(body));
        };
        if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
          return reply(400, { __type: 'UnknownOperationException', message: `only AWSEvents.PutEvents is served here (got ${req.headers['x-amz-target']})` });
        }
        let input: { Entries?: Entry[] };
        try {
          input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return reply(400, { __type: 'SerializationException', message: 'request body is not JSON' });
        }
        const entries = input.Entries ?? [];
        if (entries.length < 1 || entries.length > 10) return reply(400, { __type: 'ValidationException', message: 'Entries must hold 1 to 10 entries' });
        let failed = 0;
        const results = entries.map((entry) => {
          const error = entryError(entry);
          if (error) {
            failed++;
            return { ErrorCode: 'MalformedDetail', ErrorMessage: error };
          }
          const id = randomUUID();
          const time = entry.Time ? new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time) : new Date();
          const event: BusEvent = { version: '0', id, 'detail-type': entry.DetailType!, source: entry.Source!, account: '000000000000', time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'), region: 'local', resources: entry.Resources ?? [], detail: JSON.parse(entry.Detail!) };
          const bus = !entry.EventBusName || entry.EventBusName === 'default' ? 'default' : 'impact';
          setImmediate(() => routeEvent(bus, event, deliver));
          return { EventId: id };
        });
        reply(200, { FailedEntryCount: failed, Entries: results });
      });
    });
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
