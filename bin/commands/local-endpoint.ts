/**
 * The DynamoDB Local of a running `npm start`, found from its data dir (`--local`), so that the
 * Operating commands run against the local runtime as written, with no port to look up.
 *
 * Mechanism: `npm start` runs DynamoDB Local as `java ... -dbPath <data dir>/dynamodb -port N`; the
 * process whose command line names that path gives the port. Limits: Linux only (reads /proc), and a
 * runtime started with `--in-memory` has no path to find. The runtime publishing its endpoint in the
 * data dir would make this a file read (docs/decisions.md, CLI).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliInputError } from './cli-errors.ts';

const commandLine = (pid: string): string[] | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined; // gone, or not ours to read
  }
};

export const localDynamoDbEndpoint = (dataDir: string): string => {
  const dbPath = join(resolve(dataDir), 'dynamodb');
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    // no /proc: not Linux; the error below says what to do instead
  }
  for (const pid of pids) {
    const args = commandLine(pid);
    if (!args || args[args.indexOf('-dbPath') + 1] !== dbPath || !args.includes('-port')) continue;
    return `http://127.0.0.1:${args[args.indexOf('-port') + 1]}`;
  }
  throw new CliInputError([
    `--local: no running \`npm start\` keeps its data in ${resolve(dataDir)} (no DynamoDB Local serves ${dbPath}); ` +
      'start it with `npm start` in this directory, name its data dir (--local DIR), or give --endpoint URL',
  ]);
};
