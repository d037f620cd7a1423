import {
  QueryCommand,
  ScanCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type QueryCommandOutput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** Every page of a Query (1 MB each), following LastEvaluatedKey until it is absent. */
export async function* queryPages(client: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<Record<string, unknown>[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    yield (out.Items ?? []) as Record<string, unknown>[];
    start = out.LastEvaluatedKey;
  } while (start);
}

export const queryAll = async (client: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  for await (const page of queryPages(client, input)) items.push(...page);
  return items;
};

/** A parallel Scan over `segments` segments, every page of each. */
export const scanAll = async (client: DynamoDBDocumentClient, input: ScanCommandInput, segments = 4): Promise<Record<string, unknown>[]> => {
  const parts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await client.send(new ScanCommand({ ...input, Segment: segment, TotalSegments: segments, ...(start ? { ExclusiveStartKey: start } : {}) }));
        for (const item of out.Items ?? []) items.push(item as Record<string, unknown>);
        start = out.LastEvaluatedKey;
      } while (start);
      return items;
    }),
  );
  return parts.flat();
};

/**
 * Every page of a Query (`pageSize` items a page), the next page requested while the current one is
 * consumed: a reader of many partitions holds at most two pages of each. Unlike queryPages, a reader
 * that stops early has paid for one page more (so readers of a first page only use queryPages).
 */
export async function* queryPagesAhead(client: DynamoDBDocumentClient, input: QueryCommandInput, pageSize = 500): AsyncGenerator<Record<string, unknown>[]> {
  const fetch = (start?: Record<string, unknown>): Promise<QueryCommandOutput> =>
    client.send(new QueryCommand({ ...input, Limit: pageSize, ...(start ? { ExclusiveStartKey: start } : {}) }));
  let next: Promise<QueryCommandOutput> | undefined = fetch();
  while (next) {
    const out: QueryCommandOutput = await next;
    next = out.LastEvaluatedKey ? fetch(out.LastEvaluatedKey) : undefined;
    yield (out.Items ?? []) as Record<string, unknown>[];
  }
}

/** One sorted source of a merge: its items in ascending `key` order, a page at a time. */
export interface SortedSource<T> {
  pages: AsyncIterator<T[]>;
  key: (item: T) => string;
}

/** Where a merge stands in one source: the page being read and the item next in it. */
interface Cursor<T> {
  page: T[];
  at: number;
  key: string;
}

/**
 * Merges sources that are each sorted by key into one run of keys in ascending order; for each key,
 * the items every source holds under it (`items[i]` from `sources[i]`). Reads each source a page at a
 * time, so memory is what the sources buffer (a page or two each), whatever their length. Only a
 * page's end awaits: a planner shard merges dozens of sources over a hundred thousand customers, and a
 * promise per item and source cost more CPU than the reads themselves.
 */
export async function* mergeByKey<T>(sources: readonly SortedSource<T>[]): AsyncGenerator<{ key: string; items: T[][] }> {
  const heads: (Cursor<T> | undefined)[] = await Promise.all(sources.map((s) => nextPage(s)));
  for (;;) {
    let min: string | undefined;
    for (const h of heads) if (h && (min === undefined || h.key < min)) min = h.key;
    if (min === undefined) return;
    const items: T[][] = sources.map(() => []);
    const refills: Promise<void>[] = [];
    for (let i = 0; i < sources.length; i++) {
      const head = heads[i];
      if (head?.key !== min || takeKey(head, min, sources[i].key, items[i])) continue;
      // The page ran out on this key: the next pages may hold more of it.
      refills.push(
        (async () => {
          let next = await nextPage(sources[i]);
          while (next && !takeKey(next, min, sources[i].key, items[i])) next = await nextPage(sources[i]);
          heads[i] = next;
        })(),
      );
    }
    await Promise.all(refills);
    yield { key: min, items };
  }
}

/** Moves the cursor past its items under `key`, into `out`; true while its page holds more. */
const takeKey = <T>(cursor: Cursor<T>, key: string, keyOf: (item: T) => string, out: T[]): boolean => {
  while (cursor.at < cursor.page.length && cursor.key === key) {
    out.push(cursor.page[cursor.at++]);
    if (cursor.at < cursor.page.length) cursor.key = keyOf(cursor.page[cursor.at]);
  }
  return cursor.at < cursor.page.length;
};

/** The source's next page that holds an item, as a cursor at its first item (undefined: the source is done). */
const nextPage = async <T>(source: SortedSource<T>): Promise<Cursor<T> | undefined> => {
  for (;;) {
    const next = await source.pages.next();
    if (next.done) return undefined;
    if (next.value.length > 0) return { page: next.value, at: 0, key: source.key(next.value[0]) };
  }
};
