import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { LOCAL_AWS } from '../../lib/local/dynamodb-local.ts';
import { CLI_SOURCE } from '../../functions/domain/events/index.ts';
import { CliInputError } from './cli-errors.ts';
import { readJsonFile } from './inputs.ts';

const entryOf = (raw: unknown, bus: string) => {
  const e = raw as { 'detail-type'?: string; source?: string; detail?: unknown };
  if (!e || typeof e !== 'object' || !e['detail-type'] || !e.detail) throw new CliInputError(['each event needs "detail-type" and "detail"']);
  return { EventBusName: bus, Source: e.source ?? CLI_SOURCE, DetailType: e['detail-type'], Detail: JSON.stringify(e.detail) };
};

export const register = (program: Command): void => {
  program
    .command('send')
    .description('put events from a file (one event or an array) on the local runtime, or on AWS with --aws')
    .argument('[file]', 'event file, or "change-scheduled" to build one from --change/--node/--start/--end')
    .option('--endpoint <url>', 'PutEvents endpoint of the local runtime', 'http://127.0.0.1:4010')
    .option('--aws', 'send to AWS (standard credential chain) instead of the local runtime')
    .option('--bus <name>', 'event bus name', 'impact')
    .option('--change <id>', 'instead of a file: schedule a change with this id')
    .option('--node <id...>', 'with --change: impacted nodes (outage)')
    .option('--start <iso>', 'with --change: window start')
    .option('--end <iso>', 'with --change: window end')
    .option('--title <text>', 'with --change: title', 'Planned change')
    .action(async (file: string | undefined, opts: { endpoint: string; aws?: boolean; bus: string; change?: string; node?: string[]; start?: string; end?: string; title: string }) => {
      let events: unknown[];
      if (file === 'change-scheduled') {
        file = undefined;
        opts.change ??= `CHG-${Date.now().toString(36).toUpperCase()}`;
      }
      if (opts.change) {
        if (!opts.node?.length || !opts.start || !opts.end) throw new CliInputError(['--change needs --node, --start and --end (ISO 8601 times)']);
        events = [{ 'detail-type': 'Change Scheduled', detail: { changeId: opts.change, title: opts.title, window: { start: opts.start, end: opts.end }, impacts: opts.node.map((node) => ({ node })) } }];
      } else if (file) {
        const raw = await readJsonFile(file);
        events = Array.isArray(raw) ? raw : [raw];
      } else throw new CliInputError(['give an event file, or --change with --node, --start and --end']);
      const client = new EventBridgeClient(opts.aws ? {} : { endpoint: opts.endpoint, ...LOCAL_AWS });
      let failed = 0;
      for (let i = 0; i < events.length; i += 10) {
        const out = await client.send(new PutEventsCommand({ Entries: events.slice(i, i + 10).map((e) => entryOf(e, opts.bus)) }));
        out.Entries?.forEach((entry, k) => {
          if (entry.ErrorCode) {
            failed++;
            process.stderr.write(`event ${i + k}: ${entry.ErrorCode}: ${entry.ErrorMessage}\n`);
          } else process.stdout.write(`event ${i + k}: accepted as ${entry.EventId}\n`);
        });
      }
      if (failed > 0) process.exitCode = 2;
    });
};
