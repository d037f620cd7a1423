/** Backoff with full jitter for the retries the SDK does not do itself (unprocessed items, conflicts). */
export const backoffMs = (attempt: number, baseMs = 25, capMs = 2_000): number => Math.random() * Math.min(capMs, baseMs * 2 ** attempt);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs tasks with at most `limit` in flight; resolves when all are done (first failure rejects). */
export const runBounded = async <T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> => {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  });
  await Promise.all(workers);
};

export class RetriesExhaustedError extends Error {
  constructor(what: string, attempts: number, options?: ErrorOptions) {
    super(`${what}: still unprocessed after ${attempts} attempts; the table is throttling, retry later or raise its capacity`, options);
    this.name = 'RetriesExhaustedError';
  }
}

const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);

/** Throttling that outlasted the SDK's own retries (or its retry quota): our loops back off and retry. */
export const isThrottling = (error: unknown): boolean => error instanceof Error && THROTTLING.has(error.name);
