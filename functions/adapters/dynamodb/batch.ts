/**
 * BatchWriteItem in 25s and BatchGetItem in 100s, with UnprocessedItems/UnprocessedKeys retried with
 * backoff and jitter, and several batches in flight at once (bounded).
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
  /** Called after each batch is fully written, with the number of requests it held. */
  onProgress?: (done: number) => void;
}

export const batchWrite = async (
  client: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
  options: BatchOptions = {},
): Promise<void> => {
  await runBounded(chunks(requests, WRITE_BATCH), options.concurrency ?? 8, async (batch) => {
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
