/** DynamoDB access for CLI commands: a local endpoint (DynamoDB Local) or AWS with the standard credential chain. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Command } from 'commander';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { LOCAL_AWS, createTables } from '../../lib/local/dynamodb-local.ts';
import { tableNames } from '../../lib/tables.ts';
import { CliInputError } from './cli-errors.ts';
import { localDynamoDbEndpoint } from './local-endpoint.ts';

export interface StoreOptions {
  endpoint?: string;
  /** The data dir of a running `npm start` (true: the default `.impact`). */
  local?: string | boolean;
  tablePrefix: string;
  createTables?: boolean;
}

export const addStoreOptions = (command: Command): Command =>
  command
    .option('--endpoint <url>', 'DynamoDB endpoint, e.g. http://127.0.0.1:8000 for DynamoDB Local (default: AWS, standard credentials)')
    .option('--local [data-dir]', 'the DynamoDB Local of the `npm start` running with this data dir (default .impact)')
    .option('--table-prefix <prefix>', 'prefix of the table names (the stack prints it as an output)', '')
    .option('--create-tables', 'create missing tables first (DynamoDB Local; on AWS the stack owns them)');

export const openStore = async (opts: StoreOptions) => {
  if (opts.local && opts.endpoint) throw new CliInputError(['--local and --endpoint both name a DynamoDB: give one of them']);
  const endpoint = opts.local ? localDynamoDbEndpoint(opts.local === true ? '.impact' : opts.local) : opts.endpoint;
  const hasCredentials = !!process.env.AWS_ACCESS_KEY_ID || !!process.env.AWS_PROFILE;
  const config = endpoint
    ? { endpoint, region: process.env.AWS_REGION ?? LOCAL_AWS.region, ...(hasCredentials ? {} : { credentials: LOCAL_AWS.credentials }) }
    : {};
  if (opts.createTables) {
    const raw = new DynamoDBClient(config);
    await createTables(raw, opts.tablePrefix);
    raw.destroy();
  }
  return { client: documentClient(config), tables: tableNames(opts.tablePrefix) };
};

/** A one-line progress bar on a terminal (stderr); silent when stderr is not a TTY. */
export const progressBar = (label: string) => {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update: (done: number, total: number) => {
      if (!tty || total === 0) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
    done: () => {
      if (tty) process.stderr.write('\n');
    },
  };
};
