/**
 * BatchWriteItem in 25s and BatchGetItem in 100s, with UnprocessedItems/UnprocessedKeys retried with
 * backoff and jitter, and several batches in flight at once (bounded). DynamoDB refuses a whole batch
 * that names one key twice (ValidationException), and batches run in parallel, in no order: so a list
 * of writes holding a key more than once is written as its last request for that key, what writing
 * them one after another would leave.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RetriesExhaustedError, backoffMs, isThrottling, runBounded, sleep } from './retry.ts';

export const WRITE_BATCH = 25;
export const GET_BATCH = 100;
const MAX_ATTEMPTS = 12;

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

export interface BatchOptions {
  concurrency?: number;
  /** The table's key attributes (default pk, sk): what makes two requests write the same item. */
  key?: readonly string[];
  /** Called after each batch is fully written, with the number of requests it held. */
  onProgress?: (done: number) => void;
}

const DEFAULT_KEY = ['pk', 'sk'] as const;

const keyOf = (request: WriteRequest, key: readonly string[]): string => {
  const item = 'PutRequest' in request ? request.PutRequest.Item : request.DeleteRequest.Key;
  return key.map((name) => JSON.stringify(item[name] ?? null)).join('\u0000');
};

/** The requests with each key once (its last request, in the place of its first); the list itself when no key repeats. */
const lastPerKey = (requests: readonly WriteRequest[], key: readonly string[]): readonly WriteRequest[] => {
  const last = new Map<string, number>();
  requests.forEach((r, i) => {
    last.set(keyOf(r, key), i);
  });
  if (last.size === requests.length) return requests;
  const seen = new Set<string>();
  return requests.flatMap((r) => {
    const k = keyOf(r, key);
    if (seen.has(k)) return [];
    seen.add(k);
    return [requests[last.get(k)!]];
  });
};

export const batchWrite = async (
  client: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
  options: BatchOptions = {},
): Promise<void> => {
  await runBounded(chunks(lastPerKey(requests, options.key ?? DEFAULT_KEY), WRITE_BATCH), options.concurrency ?? 8, async (batch) => {
    let pending: WriteRequest[] = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new RetriesExhaustedError(`BatchWriteItem on ${table}`, attempt);
      if (attempt > 0) await sleep(backoffMs(attempt));
      try {
        const out = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
      } catch (error) {
        if (!isThrottling(error)) throw error;
      }
    }
    options.onProgress?.(batch.length);
  });
};

export const batchGet = async <T extends Record<string, unknown>>(
  client: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  options: { concurrency?: number; projection?: string; names?: Record<string, string> } = {},
): Promise<T[]> => {
  const found: T[] = [];
  await runBounded(chunks(keys, GET_BATCH), options.concurrency ?? 8, async (batch) => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new RetriesExhaustedError(`BatchGetItem on ${table}`, attempt);
      if (attempt > 0) await sleep(backoffMs(attempt));
      let out;
      try {
        out = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [table]: {
                Keys: pending,
                ...(options.projection ? { ProjectionExpression: options.projection } : {}),
                ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
              },
            },
          }),
        );
      } catch (error) {
        if (!isThrottling(error)) throw error;
        continue;
      }
      found.push(...((out.Responses?.[table] ?? []) as T[]));
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
    }
  });
  return found;
};
