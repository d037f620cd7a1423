/**
 * The console and API server on a thread of its own (console-thread.ts starts it). The pipeline's
 * planner and notify workers keep the main thread busy during a fan-out; here the console's calls
 * wait only for DynamoDB Local, as the API Lambda in AWS waits for DynamoDB and nothing else. The
 * handler is the same one, over the same adapters; putting events on the bus (POST /events, and the
 * `Event Rejected` of refused intake) is the one thing it asks of the main thread, which owns the bus.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PipelineEvents } from '../../functions/adapters/eventbridge.ts';
import type { SubmittedEvent } from '../../functions/handlers/api/endpoint.ts';
import type { PipelineDetailType } from '../../functions/domain/events/schemas.ts';
import { consoleServer } from './console-server.ts';
import type { ConsoleWorkerData, FromConsole, ToConsole } from './console-thread.ts';
import { localApi, storeDependencies } from './dependencies.ts';
import { close, listen, PortInUseError } from './http.ts';
import { describeError } from './log.ts';

const main = parentPort;
if (!main) throw new Error('lib/local/console-worker.ts runs as a worker thread of the local runtime (console-thread.ts); start it with npm start');
const data = workerData as ConsoleWorkerData;
const post = (message: FromConsole) => main.postMessage(message);

const web = consoleServer({ webRoot: data.webRoot, outboxFile: data.outboxFile, log: (line) => post({ type: 'log', line }) });

let nextPut = 0;
const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
const onMainBus = (put: Omit<Extract<FromConsole, { type: 'put' }>, 'type' | 'id'>) =>
  new Promise<void>((resolve, reject) => {
    const id = nextPut++;
    pending.set(id, { resolve, reject });
    post({ type: 'put', id, ...put });
  });
const submit = (events: readonly SubmittedEvent[]) => onMainBus({ submitted: [...events] });

/** The pipeline's own events, emitted on the main thread's bus as the handlers there emit theirs. */
class MainThreadPipelineEvents extends PipelineEvents {
  constructor() {
    super(new EventBridgeClient({ region: 'local' }), 'impact');
  }
  override emit(events: { detailType: PipelineDetailType; detail: unknown }[]): Promise<void> {
    return onMainBus({ emitted: events });
  }
}

main.on('message', (message: ToConsole) => {
  switch (message.type) {
    case 'connect': {
      const deps = storeDependencies({ dynamodbEndpoint: message.dynamodbEndpoint, settings: message.settings });
      web.setApi(localApi({ ...deps, pipelineEvents: new MainThreadPipelineEvents() }, submit, message.intake));
      return;
    }
    case 'taken': {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error === undefined) waiting?.resolve();
      else waiting?.reject(new Error(`the local bus did not take the events: ${message.error}`));
      return;
    }
    case 'close':
      void close(web.server).then(() => post({ type: 'closed' }));
      return;
  }
});

listen(web.server, data.port, 'API and console', '--api-port').then(
  (port) => post({ type: 'listening', port }),
  (error) => post({ type: 'failed', portInUse: error instanceof PortInUseError, message: describeError(error) }),
);
