/**
 * The first-run import on a thread of its own (seed.ts starts it): the import holds the whole graph
 * in memory (600,000 customers and 1.2 million usages: 430-770 MB live), within a heap limit of its own
 * (IMPORT_HEAP_MB), and a thread's heap is given back when the thread ends, so the runtime does not
 * carry it through the day.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { storeDependencies } from './dependencies.ts';
import { describeError } from './log.ts';
import { seedOnFirstRun, type SeedThreadData, type FromSeedThread } from './seed.ts';

const main = parentPort;
if (!main) throw new Error('lib/local/seed-worker.ts runs as a worker thread of the local runtime (seed.ts); start it with npm start');
const post = (message: FromSeedThread) => main.postMessage(message);
const { dynamodbEndpoint, seed } = workerData as SeedThreadData;
seedOnFirstRun(storeDependencies({ dynamodbEndpoint }).graph, seed, (line) => post({ type: 'log', line })).then(
  () => post({ type: 'done' }),
  (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : describeError(error) }),
);
