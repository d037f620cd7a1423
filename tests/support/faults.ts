/**
 * SDK middleware that injects the failures DynamoDB produces under load: throttling errors (retried by
 * the SDK) and partial batch results (UnprocessedItems / UnprocessedKeys, retried by our adapters).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface FaultCounters {
  throttled: number;
  unprocessed: number;
}

/** Every `every`-th request fails with a throttling error before reaching DynamoDB. */
export const injectThrottling = (client: DynamoDBDocumentClient, every = 3): FaultCounters => {
  const counters = { throttled: 0, unprocessed: 0 };
  let calls = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      if (++calls % every === 0) {
        counters.throttled++;
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput (injected)'), {
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'injectThrottling' },
  );
  return counters;
};

/**
 * BatchWriteItem / BatchGetItem calls process only the first half of their requests; the rest comes
 * back as unprocessed, as DynamoDB does when a partition is over its throughput.
 */
export const injectUnprocessed = (client: DynamoDBDocumentClient): FaultCounters => {
  const counters = { throttled: 0, unprocessed: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { RequestItems?: Record<string, unknown> };
      const command = context.commandName;
      if ((command !== 'BatchWriteItemCommand' && command !== 'BatchGetItemCommand') || !input.RequestItems) return next(args);
      const [table, requests] = Object.entries(input.RequestItems)[0];
      const list = command === 'BatchWriteItemCommand' ? (requests as unknown[]) : (requests as { Keys: unknown[] }).Keys;
      if (list.length < 2) return next(args);
      const half = Math.ceil(list.length / 2);
      const sent = list.slice(0, half);
      const held = list.slice(half);
      counters.unprocessed += held.length;
      const trimmed = command === 'BatchWriteItemCommand' ? sent : { ...(requests as object), Keys: sent };
      const result = await next({ ...args, input: { ...input, RequestItems: { [table]: trimmed } } });
      const output = result.output as Record<string, unknown>;
      if (command === 'BatchWriteItemCommand') output.UnprocessedItems = { [table]: held };
      else output.UnprocessedKeys = { [table]: { ...(requests as object), Keys: held } };
      return result;
    },
    { step: 'initialize', name: 'injectUnprocessed' },
  );
  return counters;
};

/** Counts the commands a client sends, by name. */
export const countCommands = (client: DynamoDBDocumentClient): Map<string, number> => {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts.set(context.commandName!, (counts.get(context.commandName!) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return counts;
};
