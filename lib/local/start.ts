// `npm start`: the whole pipeline locally (DESIGN section 8). Flags: --data-dir, --events-port,
// --api-port, --in-memory, --delivery. Subscriptions with filter policies, intake's configuration and secrets, the
// approval policy and the merge window come from impact.local.json (lib/local/settings.ts, intake.ts).
//
// The process stays up whatever a request or a handler does: a rejected promise nobody awaited is
// logged and the runtime carries on. It stops on Ctrl-C / SIGTERM, on a failed start and on an uncaught
// exception (the process is then in an unknown state), and each time it stops DynamoDB Local with it.
import { existsSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { intakeBanner, readLocalIntake } from './intake.ts';
import { describeError, stdoutLog } from './log.ts';
import { LocalConfigError, localConfig, type LocalConfig } from './settings.ts';

const program = new Command('npm start')
  .description('run the impact pipeline locally: DynamoDB Local, PutEvents endpoint, handlers, outbox, API and console')
  .option('--data-dir <dir>', 'where data is kept between runs', '.impact')
  .option('--events-port <port>', 'EventBridge-compatible PutEvents endpoint', (v) => Number(v), 4010)
  .option('--api-port <port>', 'API and support console', (v) => Number(v), 3000)
  .option('--in-memory', 'keep nothing between runs')
  .option('--config <file>', 'local subscriptions with filter policies; intake configuration and secrets; approval policy, merge window', 'impact.local.json')
  .option('--graph <file...>', 'graph files to load on first run instead of examples/airline')
  .option('--customers <file>', 'customers.csv to load with --graph')
  .option('--usage <file>', 'usage.csv to load with --graph')
  .option('--sns-rate <n>', 'SNS messages per second that fan-out is paced to', (v) => Number(v), 1000)
  .addOption(
    new Option(
      '--delivery <mode>',
      'built-in: deliver notices through the local stand-ins of SES, SMS and push, with receipts; topic-only: notices stop at customer-notices (the outbox)',
    )
      .choices(['built-in', 'topic-only'])
      .default('built-in'),
  )
  .parse();
const opts = program.opts<{
  dataDir: string;
  eventsPort: number;
  apiPort: number;
  inMemory?: boolean;
  config: string;
  graph?: string[];
  customers?: string;
  usage?: string;
  snsRate: number;
  delivery: 'built-in' | 'topic-only';
}>();
// A bad configuration stops the start with every problem named (exit 2: the file is input to fix).
let config: LocalConfig = { subscriptions: [], settings: {} };
let raw: Record<string, unknown> = {};
try {
  if (existsSync(opts.config)) {
    raw = JSON.parse(readFileSync(opts.config, 'utf8'));
    config = localConfig(raw, opts.config);
  }
} catch (error) {
  process.stderr.write(`npm start: ${error instanceof LocalConfigError ? error.message : `${opts.config}: not JSON (${describeError(error)})`}\n`);
  process.exit(2);
}
const intake = readLocalIntake(raw.intake);
if (!intake.ok) {
  process.stderr.write(
    `npm start: ${opts.config}: the intake configuration has ${intake.problems.length} problem(s):\n${intake.problems.map((p) => `  ${p}`).join('\n')}\n`,
  );
  process.exit(2);
}

// Handler logs at WARN unless asked otherwise: the outbox and the API are where to look.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// Tracing is off outside Lambda (shared/powertools.ts), but the X-Ray SDK under Powertools Tracer, in its
// automatic mode, hooks every promise of the process as soon as it is loaded (cls-hooked's async hooks):
// about a seventh of the runtime's CPU in the bench's fan-out. Manual mode loads it without the hooks.
process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
const { startLocalRuntime } = await import('./runtime.ts');
type Runtime = Awaited<ReturnType<typeof startLocalRuntime>>;

let runtime: Runtime | undefined;
let stopping: Promise<never> | undefined;
/** Stops the runtime (and with it DynamoDB Local) once, then exits. */
const stopAndExit = (code: number): Promise<never> =>
  (stopping ??= (async () => {
    await runtime?.stop().catch((error: unknown) => process.stderr.write(`npm start: while stopping: ${describeError(error)}\n`));
    process.exit(code);
  })());

process.on('unhandledRejection', (reason) =>
  stdoutLog(`npm start: a promise failed with nobody waiting for it (the runtime carries on): ${describeError(reason)}`),
);
process.on('uncaughtException', (error) => {
  process.stderr.write(`npm start: stopping after an uncaught error: ${describeError(error)}\n`);
  void stopAndExit(1);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stdout.write('stopping...\n');
    void stopAndExit(0);
  });
}

try {
  runtime = await startLocalRuntime({
    dataDir: opts.dataDir,
    eventsPort: opts.eventsPort,
    apiPort: opts.apiPort,
    inMemory: opts.inMemory,
    subscriptions: config.subscriptions,
    intake: intake.intake,
    delivery: opts.delivery,
    settings: { ...config.settings, snsMessagesPerSecond: opts.snsRate },
    ...(opts.graph ? { seed: { graphFiles: opts.graph, customersCsv: opts.customers, usageCsv: opts.usage } } : {}),
  });
} catch (error) {
  // startLocalRuntime has undone what it started (DynamoDB Local included) before it threw.
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : describeError(error)}\n`);
  process.exit(1);
}
if (stopping) await stopping; // a signal came while it was starting
process.stdout.write(
  [
    'impact pipeline running locally',
    `  events:   ${runtime.eventsUrl}   (aws events put-events --endpoint-url ${runtime.eventsUrl} ..., or npx impact send FILE)`,
    `  console:  ${runtime.apiUrl}   (API under ${runtime.apiUrl}/api)`,
    `  outbox:   ${runtime.outboxFile}`,
    ...intakeBanner(runtime.apiUrl, intake.intake.secrets),
    'Ctrl-C stops it; a restart resumes where it stopped.',
    '',
  ].join('\n'),
);
