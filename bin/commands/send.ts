import { userInfo } from 'node:os';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Option, type Command } from 'commander';
import { LOCAL_AWS } from '../../lib/local/dynamodb-local.ts';
import { CLI_SOURCE } from '../../functions/domain/events/index.ts';
import { NODE_ID_PATTERN, type Actor } from '../../functions/domain/model.ts';
import { CliInputError } from './cli-errors.ts';
import { readJsonFile } from './inputs.ts';

/** Whoever runs the CLI: the OS user, as a person (an event's own actor is kept). */
export const cliActor = (): Actor => {
  let id: string | undefined;
  try {
    id = userInfo().username;
  } catch {
    id = process.env.USER ?? process.env.USERNAME;
  }
  return { type: 'person', ...(id ? { id } : {}), source: 'impact-cli' };
};

const entryOf = (raw: unknown, bus: string, actor: Actor) => {
  const e = raw as { 'detail-type'?: string; source?: string; detail?: unknown };
  if (!e || typeof e !== 'object' || !e['detail-type'] || !e.detail || typeof e.detail !== 'object')
    throw new CliInputError(['each event needs "detail-type" and a "detail" object']);
  const detail = e.detail as Record<string, unknown>;
  return {
    EventBusName: bus,
    Source: e.source ?? CLI_SOURCE,
    DetailType: e['detail-type'],
    Detail: JSON.stringify({ ...detail, actor: detail.actor ?? actor }),
  };
};

/** `change#CHG-1` or `incident#INC-7` as the detail fields that name the subject. */
const subjectFields = (subject: string | undefined): Record<string, string> => {
  const [type, id, ...rest] = (subject ?? '').split('#');
  const field = type === 'change' ? 'changeId' : type === 'incident' ? 'incidentId' : undefined;
  if (!field || !id || rest.length > 0 || !NODE_ID_PATTERN.test(id)) {
    throw new CliInputError([
      `--subject ${JSON.stringify(subject ?? '')} does not name a subject; give change#<id> or incident#<id>, e.g. --subject change#CHG-1`,
    ]);
  }
  return { [field]: id };
};

const NOTIFY = { true: true, false: false, draft: 'draft' } as const;

interface SendOptions {
  endpoint: string;
  aws?: boolean;
  bus: string;
  change?: string;
  node?: string[];
  start?: string;
  end?: string;
  title: string;
  notify?: keyof typeof NOTIFY;
  subject?: string;
  note?: string;
}

/** The events a `send` invocation stands for: from a file, or built from the options. */
const eventsOf = async (file: string | undefined, opts: SendOptions): Promise<unknown[]> => {
  const notify = opts.notify !== undefined ? { notify: NOTIFY[opts.notify] } : {};
  if (file === 'notices-approved') {
    return [{ 'detail-type': 'Notices Approved', detail: { ...subjectFields(opts.subject), ...(opts.note ? { note: opts.note } : {}) } }];
  }
  if (file === 'change-scheduled') {
    file = undefined;
    opts.change ??= `CHG-${Date.now().toString(36).toUpperCase()}`;
  }
  if (opts.change) {
    if (!opts.node?.length || !opts.start || !opts.end) throw new CliInputError(['--change needs --node, --start and --end (ISO 8601 times)']);
    return [
      {
        'detail-type': 'Change Scheduled',
        detail: {
          changeId: opts.change,
          title: opts.title,
          window: { start: opts.start, end: opts.end },
          impacts: opts.node.map((node) => ({ node })),
          ...notify,
        },
      },
    ];
  }
  if (!file) throw new CliInputError(['give an event file, "notices-approved" with --subject, or --change with --node, --start and --end']);
  const raw = await readJsonFile(file);
  return Array.isArray(raw) ? raw : [raw];
};

export const register = (program: Command): void => {
  program
    .command('send')
    .description('put events from a file (one event or an array) on the local runtime, or on AWS with --aws; each records you (the OS user) as its actor')
    .argument('[file]', 'event file; "change-scheduled" to build one from --change/--node/--start/--end; "notices-approved" to approve a draft (--subject)')
    .option('--endpoint <url>', 'PutEvents endpoint of the local runtime', 'http://127.0.0.1:4010')
    .option('--aws', 'send to AWS (standard credential chain) instead of the local runtime')
    .option('--bus <name>', 'event bus name', 'impact')
    .option('--change <id>', 'instead of a file: schedule a change with this id')
    .option('--node <id...>', 'with --change: impacted nodes (outage)')
    .option('--start <iso>', 'with --change: window start')
    .option('--end <iso>', 'with --change: window end')
    .option('--title <text>', 'with --change: title', 'Planned change')
    .addOption(
      new Option('--notify <choice>', 'with --change: tell customers (true), nobody (false), or hold the notices for approval (draft)').choices(
        Object.keys(NOTIFY),
      ),
    )
    .option('--subject <key>', 'with notices-approved: the subject whose held notices to send, e.g. change#CHG-1')
    .option('--note <text>', 'with notices-approved: a note recorded with the approval')
    .action(async (file: string | undefined, opts: SendOptions) => {
      const events = await eventsOf(file, opts);
      const actor = cliActor();
      const entries = events.map((e) => entryOf(e, opts.bus, actor));
      const client = new EventBridgeClient(opts.aws ? {} : { endpoint: opts.endpoint, ...LOCAL_AWS });
      let failed = 0;
      for (let i = 0; i < entries.length; i += 10) {
        const out = await client.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
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
