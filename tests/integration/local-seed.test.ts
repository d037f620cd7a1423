/**
 * npm start's first-run import on its own thread, within a heap limit (lib/local/seed.ts): a graph that
 * does not fit is imported again without the limit, and the store holds it whole either way.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSupervisedDynamoDb } from '../../lib/local/dynamodb-local.ts';
import { storeDependencies } from '../../lib/local/dependencies.ts';
import { airlineSeed, seedOnFirstRunInThread } from '../../lib/local/seed.ts';
import { loadGraph } from '../../functions/adapters/graph-files.ts';

const ROOT = resolve(import.meta.dirname, '../..');

const importInto = async (heapMb?: number) => {
  const dynamodb = await startSupervisedDynamoDb(undefined, () => {});
  try {
    const logged: string[] = [];
    await seedOnFirstRunInThread({ dynamodbEndpoint: dynamodb.endpoint, seed: airlineSeed(ROOT) }, (l) => logged.push(l), heapMb);
    const store = storeDependencies({ dynamodbEndpoint: dynamodb.endpoint }).graph;
    // Re-importing the same files finds every item stored and unchanged.
    const again = await store.import((await loadGraph(airlineSeed(ROOT))).graph);
    return { logged, version: await store.version(), again };
  } finally {
    await dynamodb.stop();
  }
};

// (The import within the default limit is what every npm start of tests/e2e does.)
describe('the first-run import thread', () => {
  it('a graph that outgrows the limit is imported again without it, and stored whole', async () => {
    const { logged, version, again } = await importInto(8);
    expect(logged.join('\n')).toMatch(/needs more than 8 MB of heap to import: importing it again without that limit/);
    expect(version).toBe(1);
    expect(again).toMatchObject({ puts: 0, deletes: 0, contactPuts: 0, contactDeletes: 0, version: 1 });
    expect(again.unchanged).toBeGreaterThan(0);
  }, 120_000);
});
