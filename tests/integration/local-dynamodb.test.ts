import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { batchGet, batchWrite } from '../../functions/adapters/dynamodb/batch.ts';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { Chaos } from '../../lib/local/chaos.ts';
import { LOCAL_AWS, startSupervisedDynamoDb } from '../../lib/local/dynamodb-local.ts';
import { tableNames } from '../../lib/tables.ts';
import { freshTables } from '../support/dynamodb.ts';
import { javaProcessesFor } from '../e2e/runtime-process.ts';

describe('IMPACT_CHAOS on the DynamoDB client', () => {
  it('throttled requests and unprocessed batch entries: every item written and read back once', async () => {
    const { client, tables } = await freshTables();
    const log = join(mkdtempSync(join(tmpdir(), 'impact-chaos-')), 'chaos-faults.log');
    new Chaos({ seed: 11, throttle: 0.1, fail: 0.2 }, log).instrument(client, 'dynamodb');
    const items = Array.from({ length: 300 }, (_, i) => ({ pk: `k-${i}`, sk: 's', n: i }));
    await batchWrite(
      client,
      tables.graph,
      items.map((Item) => ({ PutRequest: { Item } })),
    );
    const read = await batchGet<{ n: number }>(
      client,
      tables.graph,
      items.map(({ pk, sk }) => ({ pk, sk })),
    );
    expect(read.map((i) => i.n).sort((a, b) => a - b)).toEqual(items.map((i) => i.n));
    const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    expect(lines.filter((l) => l === 'dynamodb fail').length).toBeGreaterThan(0);
    expect(lines.filter((l) => l === 'dynamodb throttle').length).toBeGreaterThan(0);
  });
});

describe('DynamoDB Local under the runtime', () => {
  it('comes back with its data when its java is killed; the check after a restart runs before ready() lets work through', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'impact-ddb-'));
    const logged: string[] = [];
    const dynamodb = await startSupervisedDynamoDb(join(dir, 'dynamodb'), (l) => logged.push(l));
    const checks: number[] = [];
    dynamodb.afterRestart(async (stoppedAt) => {
      await new Promise((r) => setTimeout(r, 300));
      checks.push(stoppedAt);
    });
    try {
      const client = documentClient({ endpoint: dynamodb.endpoint, ...LOCAL_AWS });
      const table = tableNames('').graph;
      await client.send(new PutCommand({ TableName: table, Item: { pk: 'kept', sk: 'across a crash' } }));
      const [java] = javaProcessesFor(dir);
      const killedAt = Date.now();
      process.kill(java, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      await dynamodb.ready();
      expect(checks).toHaveLength(1);
      expect(checks[0]).toBeGreaterThanOrEqual(killedAt);
      const { Item } = await client.send(new GetCommand({ TableName: table, Key: { pk: 'kept', sk: 'across a crash' } }));
      expect(Item).toEqual({ pk: 'kept', sk: 'across a crash' });
      expect(javaProcessesFor(dir)).toHaveLength(1);
      expect(javaProcessesFor(dir)[0]).not.toBe(java);
      expect(logged.join('\n')).toMatch(/stopped unexpectedly[\s\S]*is back/);
    } finally {
      await dynamodb.stop();
    }
    expect(javaProcessesFor(dir)).toEqual([]);
  }, 120_000);
});
