/**
 * The main thread's side of the console and API server's thread (console-worker.ts): starts it on a
 * port, connects its API once DynamoDB Local is up, puts the events it submits on the local bus, and
 * stops it. The thread ends with the process, so a kill -9 leaves nothing listening.
 */
import { Worker } from 'node:worker_threads';
import type { Dependencies } from '../../functions/handlers/shared/dependencies.ts';
import type { SubmittedEvent } from '../../functions/handlers/api/endpoint.ts';
import type { PipelineEvents } from '../../functions/adapters/eventbridge.ts';
import type { PipelineDetailType } from '../../functions/domain/events/schemas.ts';
import type { LocalBus } from './bus.ts';
import { PortInUseError } from './http.ts';
import type { LocalIntake } from './intake.ts';
import { describeError, type Log } from './log.ts';

export interface ConsoleWorkerData {
  webRoot: string;
  outboxFile: string;
  port: number;
}

export type ToConsole =
  | { type: 'connect'; dynamodbEndpoint: string; settings: Dependencies['settings']; intake: LocalIntake }
  | { type: 'taken'; id: number; error?: string }
  | { type: 'close' };

export type FromConsole =
  | { type: 'listening'; port: number }
  | { type: 'failed'; portInUse: boolean; message: string }
  | { type: 'log'; line: string }
  /** Events for the bus: submitted by a caller (POST /events), or the pipeline's own (`Event Rejected`). */
  | { type: 'put'; id: number; submitted?: SubmittedEvent[]; emitted?: { detailType: PipelineDetailType; detail: unknown }[] }
  | { type: 'closed' };

export interface ConsoleThread {
  port: number;
  /** The API answers from now on (before, 503: the runtime is starting). */
  connect: (parts: {
    dynamodbEndpoint: string;
    settings: Dependencies['settings'];
    intake: LocalIntake;
    bus: LocalBus;
    pipelineEvents: PipelineEvents;
  }) => void;
  stop: () => Promise<void>;
}

/** Starts the thread and resolves once it listens; a taken port fails as PortInUseError, as before the thread. */
export const startConsoleThread = (data: ConsoleWorkerData, log: Log): Promise<ConsoleThread> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./console-worker.ts', import.meta.url), { workerData: data });
    let main: { bus: LocalBus; pipelineEvents: PipelineEvents } | undefined;
    let closed: (() => void) | undefined;
    const post = (message: ToConsole) => worker.postMessage(message);
    const onBus = async ({ submitted, emitted }: Extract<FromConsole, { type: 'put' }>) => {
      if (!main) throw new Error('the runtime is starting');
      if (submitted)
        main.bus.put(
          'impact',
          submitted.map((e) => ({ source: e.source, detailType: e['detail-type'], detail: e.detail })),
        );
      if (emitted) await main.pipelineEvents.emit(emitted);
    };
    const stop = async () => {
      await new Promise<void>((done) => {
        closed = done;
        post({ type: 'close' });
        // A thread that cannot answer (stuck, or gone) is stopped all the same.
        setTimeout(done, 5_000).unref();
      });
      await worker.terminate();
    };
    worker.on('message', (message: FromConsole) => {
      switch (message.type) {
        case 'listening':
          return resolve({
            port: message.port,
            connect: ({ bus, pipelineEvents, ...parts }) => {
              main = { bus, pipelineEvents };
              post({ type: 'connect', ...parts });
            },
            stop,
          });
        case 'failed':
          void worker.terminate();
          return reject(message.portInUse ? new PortInUseError('API and console', data.port, '--api-port') : new Error(message.message));
        case 'log':
          return log(message.line);
        case 'put':
          return void onBus(message).then(
            () => post({ type: 'taken', id: message.id }),
            (error) => post({ type: 'taken', id: message.id, error: describeError(error) }),
          );
        case 'closed':
          return closed?.();
      }
    });
    worker.on('error', (error) => {
      log(`the console and API thread failed: ${describeError(error)}`);
      reject(error);
    });
  });
