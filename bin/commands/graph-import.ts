import type { Command } from 'commander';
import { loadGraph } from '../../functions/adapters/graph-files.ts';
import { GraphStore } from '../../functions/adapters/graph-store.ts';
import { graphGroup } from './graph-validate.ts';
import { addStoreOptions, openStore, progressBar, type StoreOptions } from './aws-clients.ts';

export const register = (program: Command): void => {
  addStoreOptions(
    graphGroup(program)
      .command('import')
      .description('import graph files (and customers/usage CSVs) into DynamoDB as a diff: only changed items are written')
      .argument('<files...>', 'graph files (YAML or JSON)')
      .option('--customers <file>', 'customers.csv')
      .option('--usage <file>', 'usage.csv')
      .option('--concurrency <n>', 'batches in flight', (v) => Number.parseInt(v, 10), 16),
  ).action(async (files: string[], opts: StoreOptions & { customers?: string; usage?: string; concurrency: number }) => {
    // Validate everything before the first write: nothing is half-imported.
    const { graph, warnings } = await loadGraph({ graphFiles: files, customersCsv: opts.customers, usageCsv: opts.usage });
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    const { client, tables } = await openStore(opts);
    const bar = progressBar('importing');
    const started = Date.now();
    const report = await new GraphStore(client, tables).import(graph, { concurrency: opts.concurrency, onProgress: bar.update });
    bar.done();
    process.stdout.write(
      `graph version ${report.version}: ${report.puts} written, ${report.deletes} deleted, ${report.unchanged} unchanged; ` +
        `contacts ${report.contactPuts} written, ${report.contactDeletes} deleted (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    );
  });
};
