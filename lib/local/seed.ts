/** First run of `npm start`: loads a graph into the empty store so that there is something to see. */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GraphStore } from '../../functions/adapters/graph-store.ts';
import { loadGraph } from '../../functions/adapters/graph-files.ts';
import type { Log } from './log.ts';

export interface Seed {
  graphFiles: string[];
  customersCsv?: string;
  usageCsv?: string;
}

export const airlineSeed = (root: string): Seed => ({
  graphFiles: [join(root, 'examples/airline/graph.yaml')],
  customersCsv: join(root, 'examples/airline/customers.csv'),
  usageCsv: join(root, 'examples/airline/usage.csv'),
});

/** Imports the seed when no graph is stored yet (graph version 0), logging progress every 10%. */
export const seedOnFirstRun = async (graph: GraphStore, seed: Seed, log: Log): Promise<void> => {
  if ((await graph.version()) !== 0) return;
  log('first run: importing the example graph into DynamoDB Local (a few minutes; later runs start at once)...');
  const { graph: loaded } = await loadGraph(seed);
  let shown = 0;
  const started = Date.now();
  const report = await graph.import(loaded, {
    onProgress: (done, total) => {
      const pct = Math.floor((done / total) * 10) * 10;
      if (pct > shown) log(`  ${(shown = pct)}% (${done}/${total} items, ${Math.round((Date.now() - started) / 1000)} s)`);
    },
  });
  log(`graph version ${report.version}: ${report.puts} items, ${report.contactPuts} contacts`);
};

export interface SeedThreadData {
  dynamodbEndpoint: string;
  seed: Seed;
}

export type FromSeedThread = { type: 'log'; line: string } | { type: 'done' } | { type: 'failed'; message: string };

/**
 * The import thread's old-generation heap. The whole graph is held while it is written (the scale-1
 * estate, 600,000 customers and 1.2 million usages: 430-770 MB live); without a limit V8 let the
 * import's garbage grow the process to 1.6 GB before collecting, with this one it stays at 0.73 GB
 * (docs/capacity.md). A graph that does not fit is imported again without the limit.
 */
export const IMPORT_HEAP_MB = 768;

/** Thrown by the import thread when it ran out of its heap limit. */
const outOfMemory = (error: unknown) => (error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';

const importThread = (data: SeedThreadData, log: Log, heapMb: number | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./seed-worker.ts', import.meta.url), {
      workerData: data,
      ...(heapMb ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {}),
    });
    let outcome: FromSeedThread | undefined;
    // The thread's SDK client keeps its connections open: it is ended once it has answered.
    worker.on('message', (message: FromSeedThread) => {
      if (message.type === 'log') return log(message.line);
      outcome = message;
      void worker.terminate();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (outcome?.type === 'done') resolve();
      else reject(new Error(outcome?.type === 'failed' ? outcome.message : `the first-run import stopped (thread exit code ${code})`));
    });
  });

/**
 * seedOnFirstRun on a thread of its own (seed-worker.ts), whose memory is given back when the import
 * ends, within `heapMb` of heap; again without a limit if the graph needs more (nothing is visible of
 * a first import until its last write, so it starts over).
 */
export const seedOnFirstRunInThread = async (data: SeedThreadData, log: Log, heapMb = IMPORT_HEAP_MB): Promise<void> => {
  try {
    await importThread(data, log, heapMb);
  } catch (error) {
    if (!outOfMemory(error)) throw error;
    log(`the graph needs more than ${heapMb} MB of heap to import: importing it again without that limit`);
    await importThread(data, log, undefined);
  }
};
