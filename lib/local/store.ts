/**
 * The local runtime's own durable state (the stand-ins for what EventBridge, SQS and Scheduler keep in
 * AWS): one SQLite database, `runtime.sqlite` in the data dir, through node:sqlite (built into Node 22).
 *
 * Mechanism: WAL journal, `synchronous = NORMAL`. A commit is in the WAL (the OS's page cache) before
 * the call returns, so it survives the process being killed at any point (kill -9, a crash, Ctrl-C);
 * a power cut or an OS crash can lose the last commits. `FULL` (an fsync per commit) measured at a
 * sixteenth of the throughput, for no gain against the failure the runtime is built for
 * (docs/decisions.md, Local runtime).
 * Each table keeps its rows in an index on what it is read by, so every operation costs O(log n).
 */
import { rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

export type LocalStore = DatabaseSync;

/** A local SQS queue: `jobs` (notice jobs for notify), `deliveries` (each channel's subscription to customer-notices). */
const queueTable = (name: 'jobs' | 'deliveries') => `
CREATE TABLE IF NOT EXISTS ${name} (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  sent_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ${name}_visible ON ${name} (visible_at, id);`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox (
  id INTEGER PRIMARY KEY,
  route TEXT NOT NULL,
  event TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_due ON inbox (due_at, id);
${queueTable('jobs')}
${queueTable('deliveries')}
CREATE TABLE IF NOT EXISTS plan_jobs (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  sent_at INTEGER NOT NULL,
  group_id TEXT NOT NULL,
  dedupe_id TEXT
);
CREATE INDEX IF NOT EXISTS plan_jobs_group ON plan_jobs (group_id, id);
CREATE INDEX IF NOT EXISTS plan_jobs_dedupe ON plan_jobs (dedupe_id);
CREATE TABLE IF NOT EXISTS reminders (
  name TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  detail TEXT NOT NULL,
  fired_at INTEGER
);
CREATE INDEX IF NOT EXISTS reminders_due ON reminders (at) WHERE fired_at IS NULL;
CREATE TABLE IF NOT EXISTS stream_positions (
  shard_id TEXT PRIMARY KEY,
  sequence_number TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox_notices (
  notice_id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  effect TEXT,
  published_at INTEGER NOT NULL,
  marked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_unmarked ON outbox_notices (published_at) WHERE marked = 0;
CREATE TABLE IF NOT EXISTS outbox_position (
  file TEXT PRIMARY KEY,
  bytes INTEGER NOT NULL
);
`;

/**
 * Opens (and creates) the store. A scratch store (`--in-memory`: nothing is kept between runs) is a file
 * all the same, emptied first and never synced: in SQLite's own memory its queues and outbox record
 * would be resident for the whole day (about 1 KB per notice at Delta scale), in a file they are the
 * kernel's page cache.
 */
export const openLocalStore = (file: string, options: { scratch?: boolean } = {}): LocalStore => {
  if (options.scratch) for (const part of ['', '-wal', '-shm']) rmSync(`${file}${part}`, { force: true });
  const db = new DatabaseSync(file);
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.scratch ? 'OFF' : 'NORMAL'}; PRAGMA busy_timeout = 5000;`);
  db.exec(SCHEMA);
  return db;
};

let savepoints = 0;

/**
 * Runs `work` atomically. Savepoints nest, so a step that is atomic on its own (the inbox taking
 * deliveries) can also be one part of a larger atomic step (a reminder firing into the inbox).
 */
export const atomically = <T>(db: LocalStore, work: () => T): T => {
  const name = `sp${++savepoints}`;
  db.exec(`SAVEPOINT ${name}`);
  try {
    const result = work();
    db.exec(`RELEASE ${name}`);
    return result;
  } catch (error) {
    db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
    throw error;
  }
};

/** Number of rows of a table: read once at open, then kept up to date by its owner (O(1) depth). */
export const countRows = (db: LocalStore, table: 'inbox' | 'jobs' | 'deliveries' | 'plan_jobs'): number =>
  Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
