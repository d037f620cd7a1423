import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeadLetterFile } from '../../../lib/local/dead-letters.ts';
import { LocalJobQueue } from '../../../lib/local/job-queue.ts';
import { importLegacyFiles } from '../../../lib/local/legacy.ts';
import { openLocalStore } from '../../../lib/local/store.ts';

describe('a data dir from before the SQLite store', () => {
  it('its queue, schedules and stream positions are taken over once, the files kept as *.imported', () => {
    // Prepare: the files as the JSON-file runtime wrote them.
    const dir = mkdtempSync(join(tmpdir(), 'impact-legacy-'));
    writeFileSync(join(dir, 'queue.json'), JSON.stringify([{ messageId: 'm-1', body: '{"type":"briefing"}', dueAt: 0, receiveCount: 2 }]));
    writeFileSync(
      join(dir, 'schedules.json'),
      JSON.stringify([
        { name: 'r-fired', at: 1, detail: {}, done: true },
        { name: 'r-due', at: 2, detail: { kind: 'reminder' } },
      ]),
    );
    writeFileSync(join(dir, 'stream-position.json'), JSON.stringify({ 'shardId-1': '000123' }));
    const store = openLocalStore(join(dir, 'runtime.sqlite'));
    // Act
    const taken = importLegacyFiles(dir, store);
    const again = importLegacyFiles(dir, store);
    // Assess
    expect(taken).toEqual(['queue.json', 'schedules.json', 'stream-position.json']);
    expect(again).toEqual([]);
    expect(existsSync(join(dir, 'queue.json.imported'))).toBe(true);
    const queue = new LocalJobQueue(store, new DeadLetterFile(join(dir, 'dead-letters.jsonl')));
    expect(queue.receive(10).map((r) => [r.messageId, r.body, r.attributes.ApproximateReceiveCount])).toEqual([['m-1', '{"type":"briefing"}', '3']]);
    expect(store.prepare('SELECT name, fired_at IS NOT NULL AS fired FROM reminders ORDER BY name').all()).toEqual([
      { name: 'r-due', fired: 0 },
      { name: 'r-fired', fired: 1 },
    ]);
    expect(store.prepare('SELECT shard_id, sequence_number FROM stream_positions').all()).toEqual([{ shard_id: 'shardId-1', sequence_number: '000123' }]);
  });
});
