/**
 * Data dirs written before the runtime's SQLite store kept their queue, schedules and stream positions
 * in JSON files. On start those are taken over once, so an upgrade loses no job, reminder or stream
 * position, and renamed `*.imported`. Taking over is idempotent (a crash before the rename imports
 * nothing twice: message ids, schedule names and shard ids are keys).
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { atomically, type LocalStore } from './store.ts';

interface LegacyJob {
  messageId: string;
  body: string;
  dueAt: number;
  receiveCount: number;
}
interface LegacyReminder {
  name: string;
  at: number;
  detail: unknown;
  done?: boolean;
}

const FILES = ['queue.json', 'schedules.json', 'stream-position.json'] as const;

/** Takes over the legacy files found in `dataDir`; returns the names of those it took. */
export const importLegacyFiles = (dataDir: string, store: LocalStore): string[] => {
  const found = FILES.filter((f) => existsSync(join(dataDir, f)));
  if (found.length === 0) return [];
  const read = <T>(name: (typeof FILES)[number], empty: T): T => (found.includes(name) ? (JSON.parse(readFileSync(join(dataDir, name), 'utf8')) as T) : empty);
  const jobs = read<LegacyJob[]>('queue.json', []);
  const reminders = read<LegacyReminder[]>('schedules.json', []);
  const positions = read<Record<string, string>>('stream-position.json', {});
  const now = Date.now();
  atomically(store, () => {
    const job = store.prepare('INSERT OR IGNORE INTO jobs (message_id, body, visible_at, receive_count, sent_at) VALUES (?, ?, ?, ?, ?)');
    for (const j of jobs) job.run(j.messageId, j.body, j.dueAt, j.receiveCount, now);
    const reminder = store.prepare('INSERT OR IGNORE INTO reminders (name, at, detail, fired_at) VALUES (?, ?, ?, ?)');
    for (const r of reminders) reminder.run(r.name, r.at, JSON.stringify(r.detail), r.done ? r.at : null);
    const position = store.prepare('INSERT OR IGNORE INTO stream_positions (shard_id, sequence_number) VALUES (?, ?)');
    for (const [shard, sequence] of Object.entries(positions)) position.run(shard, sequence);
  });
  for (const f of found) renameSync(join(dataDir, f), join(dataDir, `${f}.imported`));
  return [...found];
};
