// `npm start`: the whole pipeline locally (DESIGN section 8). Flags: --data-dir, --events-port,
// --api-port, --in-memory. Subscriptions with filter policies come from impact.local.json.
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';

const program = new Command('npm start')
  .description('run the impact pipeline locally: DynamoDB Local, PutEvents endpoint, handlers, outbox, API and console')
  .option('--data-dir <dir>', 'where data is kept between runs', '.impact')
  .option('--events-port <port>', 'EventBridge-compatible PutEvents endpoint', (v) => Number(v), 4010)
  .option('--api-port <port>', 'API and support console', (v) => Number(v), 3000)
  .option('--in-memory', 'keep nothing between runs')
  .option('--config <file>', 'local subscriptions with filter policies', 'impact.local.json')
  .option('--graph <file...>', 'graph files to load on first run instead of examples/airline')
  .option('--customers <file>', 'customers.csv to load with --graph')
  .option('--usage <file>', 'usage.csv to load with --graph')
  .option('--sns-rate <n>', 'SNS messages per second that fan-out is paced to', (v) => Number(v), 1000)
  .parse();
const opts = program.opts<{ dataDir: string; eventsPort: number; apiPort: number; inMemory?: boolean; config: string; graph?: string[]; customers?: string; usage?: string; snsRate: number }>();
const subscriptions = existsSync(opts.config) ? (JSON.parse(readFileSync(opts.config, 'utf8')).subscriptions ?? []) : [];

// Handler logs at WARN unless asked otherwise: the outbox and the API are where to look.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const { startLocalRuntime } = await import('./runtime.ts');
const runtime = await startLocalRuntime({
  dataDir: opts.dataDir,
  eventsPort: opts.eventsPort,
  apiPort: opts.apiPort,
  inMemory: opts.inMemory,
  subscriptions,
  settings: { snsMessagesPerSecond: opts.snsRate },
  ...(opts.graph ? { seed: { graphFiles: opts.graph, customersCsv: opts.customers, usageCsv: opts.usage } } : {}),
}).catch((error: Error) => {
  process.stderr.write(`npm start: ${error.message}\n`);
  process.exit(1);
});
process.stdout.write(
  [
    'impact pipeline running locally',
    `  events:   ${runtime.eventsUrl}   (aws events put-events --endpoint-url ${runtime.eventsUrl} ..., or npx impact send FILE)`,
    `  console:  ${runtime.apiUrl}   (API under ${runtime.apiUrl}/api)`,
    `  outbox:   ${runtime.outboxFile}`,
    'Ctrl-C stops it; a restart resumes where it stopped.',
    '',
  ].join('\n'),
);
const stop = async () => {
  process.stdout.write('stopping...\n');
  await runtime.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
