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
 * Every item of a Query, page by page (`pageSize` items a page), the next page requested while the
 * current one is consumed: a reader of many partitions holds at most two pages of each.
 */
export async function* queryItems(client: DynamoDBDocumentClient, input: QueryCommandInput, pageSize = 500): AsyncGenerator<Record<string, unknown>> {
  const fetch = (start?: Record<string, unknown>): Promise<QueryCommandOutput> =>
    client.send(new QueryCommand({ ...input, Limit: pageSize, ...(start ? { ExclusiveStartKey: start } : {}) }));
  let next: Promise<QueryCommandOutput> | undefined = fetch();
  while (next) {
    const out: QueryCommandOutput = await next;
    next = out.LastEvaluatedKey ? fetch(out.LastEvaluatedKey) : undefined;
    for (const item of out.Items ?? []) yield item as Record<string, unknown>;
  }
}

/** One sorted source of a merge: its items in ascending `key` order. */
export interface SortedSource<T> {
  items: AsyncIterator<T>;
  key: (item: T) => string;
}

/**
 * Merges sources that are each sorted by key into one run of keys in ascending order; for each key,
 * the items every source holds under it (`items[i]` from `sources[i]`). Reads each source one item
 * ahead, so memory is what the sources buffer (a page each), whatever their length.
 */
export async function* mergeByKey<T>(sources: readonly SortedSource<T>[]): AsyncGenerator<{ key: string; items: T[][] }> {
  const heads: ({ item: T; key: string } | undefined)[] = await Promise.all(sources.map(async (s) => advance(s)));
  for (;;) {
    let min: string | undefined;
    for (const h of heads) if (h && (min === undefined || h.key < min)) min = h.key;
    if (min === undefined) return;
    const items: T[][] = sources.map(() => []);
    await Promise.all(
      sources.map(async (source, i) => {
        while (heads[i] && heads[i]!.key === min) {
          items[i].push(heads[i]!.item);
          heads[i] = await advance(source);
        }
      }),
    );
    yield { key: min, items };
  }
}

const advance = async <T>(source: SortedSource<T>): Promise<{ item: T; key: string } | undefined> => {
  const next = await source.items.next();
  return next.done ? undefined : { item: next.value, key: source.key(next.value) };
};
