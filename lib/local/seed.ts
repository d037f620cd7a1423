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

/** seedOnFirstRun on a thread of its own (seed-worker.ts), whose memory is given back when the import ends. */
export const seedOnFirstRunInThread = (data: SeedThreadData, log: Log): Promise<void> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./seed-worker.ts', import.meta.url), { workerData: data });
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
