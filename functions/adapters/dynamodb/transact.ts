/**
 * Optimistic transactions: the items are built from what was read just before and written under
 * conditions on it; when another writer got in between (a condition failed, or DynamoDB saw a
 * conflicting transaction), they are read and built again.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { backoffMs, sleep } from './retry.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Attempts before a race that keeps being lost is thrown (the caller's retry takes over). */
const ATTEMPTS = 10;

/** Whether a transaction was cancelled because another writer got in between. */
export const lostRace = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');

/**
 * Writes the items `build` returns in one transaction, building them again (a fresh read) after a lost
 * race, with jittered backoff. `build` returns undefined when there is nothing to write (a newer version
 * is stored): then nothing is written and the answer is false.
 */
export const transactOptimistic = async (client: DynamoDBDocumentClient, build: () => Promise<TransactItem[] | undefined>): Promise<boolean> => {
  for (let attempt = 1; ; attempt++) {
    const TransactItems = await build();
    if (!TransactItems) return false;
    try {
      await client.send(new TransactWriteCommand({ TransactItems }));
      return true;
    } catch (error) {
      if (!lostRace(error) || attempt >= ATTEMPTS) throw error;
      await sleep(backoffMs(attempt));
    }
  }
};
