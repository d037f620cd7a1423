/**
 * The whole pipeline on one machine (DESIGN section 8): DynamoDB Local, the PutEvents endpoint, the
 * stream reader feeding assess, the local job queue feeding notify, timers feeding remind, local SNS
 * with an outbox, and the API + console. The handlers are the very ones that run in Lambda; only the
 * adapters behind SQS, SNS, EventBridge (outbound) and Scheduler are local.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { APIGatewayProxyEventV2, Context, EventBridgeEvent } from 'aws-lambda';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { PipelineEvents } from '../../functions/adapters/eventbridge.ts';
import { Reminders, type RemindTrigger } from '../../functions/adapters/scheduler.ts';
import { loadGraph } from '../../functions/adapters/graph-files.ts';
import type { PipelineDetailType } from '../../functions/domain/events/schemas.ts';
import { buildApiHandler } from '../../functions/handlers/api.ts';
import { buildAssessHandler } from '../../functions/handlers/assess.ts';
import { buildIngestHandler } from '../../functions/handlers/ingest.ts';
import { buildNotifyHandler } from '../../functions/handlers/notify.ts';
import { buildRemindHandler } from '../../functions/handlers/remind.ts';
import { buildDependencies, type Dependencies } from '../../functions/handlers/shared/dependencies.ts';
import { tableNames } from '../tables.ts';
import { LOCAL_AWS, createTables, startDynamoDbLocal } from './dynamodb-local.ts';
import { routeEvent, startEventEndpoint, type BusEvent } from './event-endpoint.ts';
import { LocalJobQueue } from './job-queue.ts';
import { LocalTopic, type LocalSubscription } from './outbox.ts';
import { StreamReader } from './stream-reader.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LocalOptions {
  dataDir: string;
  eventsPort: number;
  apiPort: number;
  inMemory?: boolean;
  /** Graph to load when the store is empty (default examples/airline); false loads nothing. */
  seed?: { graphFiles: string[]; customersCsv?: string; usageCsv?: string } | false;
  subscriptions?: LocalSubscription[];
  settings?: Partial<Dependencies['settings']>;
  log?: (line: string) => void;
}

export interface LocalRuntime {
  eventsUrl: string;
  apiUrl: string;
  outboxFile: string;
  deps: Dependencies;
  /** Resolves when every queue is empty and the stream is drained (for tests and demos). */
  idle: (timeoutMs?: number) => Promise<void>;
  stop: () => Promise<void>;
}

const context = { functionName: 'local', awsRequestId: 'local', getRemainingTimeInMillis: () => 900_000 } as unknown as Context;

class LocalEvents extends PipelineEvents {
  private readonly file: string;
  private readonly onEvent: (event: BusEvent) => void;
  constructor(file: string, onEvent: (event: BusEvent) => void) {
    super(new EventBridgeClient({ region: 'local' }), 'impact');
    this.file = file;
    this.onEvent = onEvent;
  }
  override async emit(events: { detailType: PipelineDetailType; detail: unknown }[]): Promise<void> {
    for (const e of events) {
      const event: BusEvent = { version: '0', id: crypto.randomUUID(), 'detail-type': e.detailType, source: 'impact.pipeline', account: '000000000000', time: new Date().toISOString(), region: 'local', resources: [], detail: e.detail };
      appendFileSync(this.file, `${JSON.stringify(event)}\n`);
      this.onEvent(event);
    }
  }
}

class LocalReminders extends Reminders {
  private readonly file: string;
  private pending: (RemindTrigger & { done?: boolean })[];
  constructor(file: string) {
    super(new SchedulerClient({ region: 'local' }), { groupName: 'local', roleArn: 'local', busArn: 'local' });
    this.file = file;
    this.pending = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : [];
  }
  override async schedule(triggers: readonly RemindTrigger[]): Promise<number> {
    let created = 0;
    for (const t of triggers) {
      if (this.pending.some((p) => p.name === t.name)) continue;
      this.pending.push({ ...t });
      created++;
    }
    writeFileSync(this.file, JSON.stringify(this.pending));
    return created;
  }
  /** Triggers that are due, each handed out once. */
  due(now: number): RemindTrigger[] {
    const due = this.pending.filter((p) => !p.done && p.at <= now);
    for (const d of due) d.done = true;
    if (due.length > 0) writeFileSync(this.file, JSON.stringify(this.pending));
    return due;
  }
}

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

export const startLocalRuntime = async (options: LocalOptions): Promise<LocalRuntime> => {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Every path is absolute from here on: some are handed to other processes with their own working directory.
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const file = (name: string) => join(dataDir, name);
  if (!options.inMemory) mkdirSync(file('dynamodb'), { recursive: true });
  const dynamodb = await startDynamoDbLocal(options.inMemory ? {} : { path: file('dynamodb') });
  const config = { endpoint: dynamodb.endpoint, ...LOCAL_AWS };
  const raw = new DynamoDBClient(config);
  await createTables(raw, '');
  raw.destroy();
  const tables = tableNames('');
  const queue = new LocalJobQueue(file('queue.json'), file('dead-letters.jsonl'));
  const reminders = new LocalReminders(file('schedules.json'));
  const subscriptions = options.subscriptions ?? [];
  const outboxFile = file('outbox.jsonl');
  const busEvents: BusEvent[] = [];
  const deps: Dependencies = {
    ...buildDependencies(
      { dynamodb: documentClient(config), eventBridge: new EventBridgeClient({ region: 'local' }), sqs: undefined as never, sns: undefined as never },
      { tables, busName: 'impact', noticeQueueUrl: 'local', noticeDlqUrl: 'local', customerNoticesTopicArn: 'local', supportBriefingsTopicArn: 'local' },
      { reminderOffsetsHours: [24, 1], incidentCadenceMinutes: 60, snsMessagesPerSecond: 1_000, ...options.settings },
    ),
    jobs: queue,
    deadLetters: queue,
    customerNotices: new LocalTopic('customer-notices', outboxFile, subscriptions),
    supportBriefings: new LocalTopic('support-briefings', outboxFile, subscriptions),
    reminders,
    pipelineEvents: new LocalEvents(file('pipeline-events.jsonl'), (event) => routeEvent('impact', event, deliver)),
  };

  if (options.seed !== false && (await deps.graph.version()) === 0) {
    const seed = options.seed ?? { graphFiles: [join(ROOT, 'examples/airline/graph.yaml')], customersCsv: join(ROOT, 'examples/airline/customers.csv'), usageCsv: join(ROOT, 'examples/airline/usage.csv') };
    log('first run: importing the example graph into DynamoDB Local (a few minutes; later runs start at once)...');
    const { graph } = await loadGraph(seed);
    let shown = 0;
    const started = Date.now();
    const report = await deps.graph.import(graph, {
      onProgress: (done, total) => {
        const pct = Math.floor((done / total) * 10) * 10;
        if (pct > shown) log(`  ${(shown = pct)}% (${done}/${total} items, ${Math.round((Date.now() - started) / 1000)} s)`);
      },
    });
    log(`graph version ${report.version}: ${report.puts} items, ${report.contactPuts} contacts`);
  }

  // Counters that tell idle() when everything appended has gone through the stream.
  let appended = 0;
  let streamedEvents = 0;
  let emptyPolls = 0;
  const append = deps.events.append.bind(deps.events);
  deps.events.append = async (...args) => {
    const result = await append(...args);
    if (result.status === 'appended') appended++;
    return result;
  };

  const ingest = buildIngestHandler(deps);
  const assess = buildAssessHandler(deps);
  const notify = buildNotifyHandler(deps);
  const remind = buildRemindHandler(deps);
  const api = buildApiHandler({
    ...deps,
    submit: async (e) => {
      const event: BusEvent = { version: '0', id: crypto.randomUUID(), 'detail-type': e['detail-type'], source: e.source, account: '000000000000', time: new Date().toISOString(), region: 'local', resources: [], detail: e.detail };
      routeEvent('impact', event, deliver);
    },
  });

  // Deliveries run one at a time, in arrival order, with the async-invoke retry of EventBridge -> Lambda.
  let chain = Promise.resolve();
  let inFlight = 0;
  function deliver(route: string, event: BusEvent): void {
    busEvents.push(event);
    inFlight++;
    chain = chain.then(async () => {
      const handler = route === 'remind' ? remind : ingest;
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          await handler(event as unknown as EventBridgeEvent<string, unknown>, context);
          break;
        } catch (error) {
          if (attempt === 3) appendFileSync(file('dead-letters.jsonl'), `${JSON.stringify({ reason: (error as Error).message, event })}\n`);
        }
      }
    }).finally(() => inFlight--);
  }

  const events = await startEventEndpoint(options.eventsPort, deliver);
  const stream = new StreamReader({ ...config, table: tables.events, positionFile: file('stream-position.json'), deadLetterFile: file('dead-letters.jsonl'), consumer: (e) => {
    // Busy from here: idle() must not take the empty polls before this batch for quiet while assess runs.
    emptyPolls = 0;
    streamedEvents += e.Records.filter((r) => r.eventName === 'INSERT' && r.dynamodb?.NewImage?.kind?.S === 'event').length;
    return assess(e, context);
  } });

  let running = true;
  let streamed = 0;
  const loop = (async () => {
    while (running) {
      let work = 0;
      try {
        const records = await stream.poll();
        emptyPolls = records === 0 ? emptyPolls + 1 : 0;
        work += records;
        streamed += records;
        work += await queue.poll((e) => notify(e, context));
        for (const t of reminders.due(Date.now())) deliver('remind', { version: '0', id: crypto.randomUUID(), 'detail-type': 'Notice Due', source: 'impact.pipeline', account: '000000000000', time: new Date().toISOString(), region: 'local', resources: [], detail: t.detail });
      } catch (error) {
        log(`local runtime: ${(error as Error).message}`);
      }
      if (work === 0) await new Promise((r) => setTimeout(r, 200));
    }
  })();

  const webRoot = join(ROOT, 'web');
  const apiServer: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/api/outbox') {
      // The console's view of local SNS: what went out, never to whom it was addressed.
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 50) || 50, 500);
      const lines = existsSync(outboxFile) ? readFileSync(outboxFile, 'utf8').trim().split('\n').filter(Boolean).slice(-limit) : [];
      const messages = lines.reverse().map((l) => {
        const { topic, attributes, message, publishedAt } = JSON.parse(l);
        const { to: _to, text: _text, ...rest } = message as Record<string, unknown>;
        return { topic, ...attributes, ...rest, publishedAt };
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messages }));
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const event = { rawPath: url.pathname, rawQueryString: url.search.slice(1), queryStringParameters: Object.fromEntries(url.searchParams), body: Buffer.concat(chunks).toString('utf8') || undefined, isBase64Encoded: false, requestContext: { http: { method: req.method ?? 'GET' }, requestId: crypto.randomUUID() } } as unknown as APIGatewayProxyEventV2;
        try {
          const result = await api(event, context);
          res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
          res.end(result.body);
        } catch (error) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: (error as Error).message }));
        }
      });
      return;
    }
    const path = normalize(url.pathname === '/' ? '/index.html' : url.pathname).replace(/^(\.\.[/\\])+/, '');
    const target = join(webRoot, path);
    if (!target.startsWith(webRoot) || !existsSync(target)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream' });
    res.end(readFileSync(target));
  });
  await new Promise<void>((resolve) => apiServer.listen(options.apiPort, '127.0.0.1', resolve));

  const eventsUrl = `http://127.0.0.1:${(events.address() as { port: number }).port}`;
  const apiUrl = `http://127.0.0.1:${(apiServer.address() as { port: number }).port}`;
  return {
    eventsUrl,
    apiUrl,
    outboxFile,
    deps,
    idle: async (timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      let quiet = 0;
      while (Date.now() < deadline) {
        await chain;
        const before = streamed;
        await new Promise((r) => setTimeout(r, 300));
        if (inFlight === 0 && queue.depth === 0 && streamed === before && streamedEvents >= appended && emptyPolls >= 2) {
          if (++quiet >= 3) return;
        } else quiet = 0;
      }
      throw new Error(`local runtime still busy after ${timeoutMs} ms`);
    },
    stop: async () => {
      running = false;
      await loop;
      await chain;
      await new Promise<void>((r) => events.close(() => r()));
      await new Promise<void>((r) => apiServer.close(() => r()));
      await dynamodb.stop();
    },
  };
};
