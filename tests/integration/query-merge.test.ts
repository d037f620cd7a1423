/**
 * mergeByKey over paged sources (functions/adapters/dynamodb/query.ts): the planner's merge-join of a
 * shard's usage, impact and ledger partitions. Keys run across page ends, pages are empty, sources end
 * early; the merge must still hand every item to its key exactly once, in key order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mergeByKey, queryPagesAhead, type SortedSource } from '../../functions/adapters/dynamodb/query.ts';
import { freshTables } from '../support/dynamodb.ts';

type Row = { key: string; n: number };

async function* pagesOf(rows: Row[], sizes: number[]): AsyncGenerator<Row[]> {
  let at = 0;
  for (let i = 0; at < rows.length; i++) {
    const size = sizes[i % sizes.length];
    yield rows.slice(at, at + size);
    at += size;
  }
}

/** What the merge must give: per key, each source's rows under it, keys ascending. */
const expectedMerge = (sources: Row[][]) => {
  const keys = [...new Set(sources.flat().map((r) => r.key))].sort();
  return keys.map((key) => ({ key, items: sources.map((rows) => rows.filter((r) => r.key === key)) }));
};

const merged = async (sources: SortedSource<Row>[]) => {
  const out: { key: string; items: Row[][] }[] = [];
  for await (const group of mergeByKey(sources)) out.push(group);
  return out;
};

describe('mergeByKey', () => {
  it('gives every item to its key once, in key order, whatever the page sizes (empty pages included)', async () => {
    const source = fc
      .array(fc.integer({ min: 0, max: 30 }), { maxLength: 60 })
      .map((keys) => keys.sort((a, b) => a - b).map((k, n) => ({ key: `C-${String(k).padStart(3, '0')}`, n })));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(source, fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 5 })), { maxLength: 6 }),
        async (specs) => {
          // A page size of 0 everywhere would never end: the first size is at least 1.
          const sources = specs.map(([rows, sizes]) => ({ pages: pagesOf(rows, [Math.max(1, sizes[0]), ...sizes.slice(1)]), key: (r: Row) => r.key }));
          expect(await merged(sources)).toEqual(expectedMerge(specs.map(([rows]) => rows)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('merges Query pages of DynamoDB Local, a key running over several pages', async () => {
    const { client, tables } = await freshTables();
    const put = async (pk: string, keys: string[]) => {
      const items = keys.map((c, n) => ({ pk, sk: `${c}#${n}`, c }));
      for (let i = 0; i < items.length; i += 25)
        await client.send(new BatchWriteCommand({ RequestItems: { [tables.graph]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
      return items;
    };
    const a = await put('merge#a', ['C-1', 'C-2', 'C-2', 'C-2', 'C-2', 'C-5', 'C-7']);
    const b = await put('merge#b', ['C-2', 'C-3', 'C-7', 'C-7', 'C-7']);
    const source = (pk: string): SortedSource<Record<string, unknown>> => ({
      pages: queryPagesAhead(client, { TableName: tables.graph, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }, 2),
      key: (i) => String(i.c),
    });
    const groups: { key: string; items: Record<string, unknown>[][] }[] = [];
    for await (const group of mergeByKey([source('merge#a'), source('merge#b')])) groups.push(group);
    const under = (items: Record<string, unknown>[], key: string) => items.filter((i) => i.c === key);
    expect(groups).toEqual(['C-1', 'C-2', 'C-3', 'C-5', 'C-7'].map((key) => ({ key, items: [under(a, key), under(b, key)] })));
  });
});
