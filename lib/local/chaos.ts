/**
 * Fault injection for the chaos suite (tests/chaos): `IMPACT_CHAOS=seed:7,throttle:0.05,fail:0.03` makes
 * the local runtime's SDK clients (DynamoDB Local, the local SNS topics, the local notice queue) meet the
 * failures those services produce under load. It is SDK middleware, so what deals with a fault is what
 * would in Lambda: the SDK's retry strategy, then our adapters' own retries and per-entry handling.
 * - throttle: a request fails with the service's throttling error instead of being answered (below the
 *   SDK's retries, where the service's answer comes in: the SDK retries it like a real one);
 * - fail: each entry of a batch request comes back unprocessed (DynamoDB BatchWriteItem, BatchGetItem) or
 *   in `Failed` (SNS PublishBatch, SQS SendMessageBatch), for the adapter to resend.
 * Every fault is appended to a log file (`<service> <fault>` per line), so a harness counts them across a
 * kill -9. The decisions come from a seeded generator: the seed is printed with every run.
 */
import { appendFileSync } from 'node:fs';
import { prng } from '../../examples/airline/generate.ts';
import { stackOf, type Middleware } from './local-aws.ts';

export type ChaosService = 'dynamodb' | 'sns' | 'sqs';
export type ChaosFault = 'throttle' | 'fail';

export interface ChaosConfig {
  seed: number;
  /** Probability that a request is throttled. */
  throttle: number;
  /** Probability that one entry of a batch request fails. */
  fail: number;
}

export class ChaosConfigError extends Error {
  constructor(problem: string) {
    super(`IMPACT_CHAOS: ${problem}; give it as seed:<integer>,throttle:<0..1>,fail:<0..1>, e.g. seed:7,throttle:0.05,fail:0.03`);
    this.name = 'ChaosConfigError';
  }
}

/** `seed:7,throttle:0.05,fail:0.03` (any part may be left out: seed 1, no faults); undefined when unset. */
export const parseChaos = (text: string | undefined): ChaosConfig | undefined => {
  if (text === undefined || text.trim() === '') return undefined;
  const config: ChaosConfig = { seed: 1, throttle: 0, fail: 0 };
  for (const part of text.split(',')) {
    const [key, value, ...rest] = part.trim().split(':');
    if (!(key in config) || value === undefined || rest.length > 0) throw new ChaosConfigError(`${JSON.stringify(part)} is not one of seed:, throttle:, fail:`);
    const n = Number(value);
    if (key === 'seed' ? !Number.isInteger(n) : !(n >= 0 && n <= 1))
      throw new ChaosConfigError(`${key} ${JSON.stringify(value)} is not ${key === 'seed' ? 'an integer' : 'a probability from 0 to 1'}`);
    config[key as keyof ChaosConfig] = n;
  }
  return config;
};

const THROTTLING_ERROR: Record<ChaosService, string> = {
  dynamodb: 'ProvisionedThroughputExceededException',
  sns: 'ThrottledException',
  sqs: 'ThrottlingException',
};

/** Where each batch command keeps its entries, and how the service reports the ones it did not take. */
type BatchShape = {
  entries: (input: Record<string, unknown>) => unknown[];
  withEntries: (input: Record<string, unknown>, entries: unknown[]) => Record<string, unknown>;
  report: (output: Record<string, unknown>, input: Record<string, unknown>, failed: unknown[]) => void;
};

const tableRequests = (field: 'RequestItems', keys: boolean): BatchShape => ({
  entries: (input) => {
    const [, requests] = Object.entries(input[field] as Record<string, unknown>)[0] ?? [];
    return (keys ? (requests as { Keys?: unknown[] })?.Keys : (requests as unknown[])) ?? [];
  },
  withEntries: (input, entries) => {
    const [table, requests] = Object.entries(input[field] as Record<string, unknown>)[0];
    return { ...input, [field]: { [table]: keys ? { ...(requests as object), Keys: entries } : entries } };
  },
  report: (output, input, failed) => {
    const [table, requests] = Object.entries(input[field] as Record<string, unknown>)[0];
    // Added to what the table itself left unprocessed, if anything.
    if (keys) {
      const left = (output.UnprocessedKeys as Record<string, { Keys?: unknown[] }> | undefined)?.[table]?.Keys ?? [];
      output.UnprocessedKeys = { [table]: { ...(requests as object), Keys: [...left, ...failed] } };
    } else {
      const left = (output.UnprocessedItems as Record<string, unknown[]> | undefined)?.[table] ?? [];
      output.UnprocessedItems = { [table]: [...left, ...failed] };
    }
  },
});

const failedEntries = (field: string): BatchShape => ({
  entries: (input) => (input[field] as unknown[]) ?? [],
  withEntries: (input, entries) => ({ ...input, [field]: entries }),
  report: (output, _input, failed) => {
    output.Successful ??= [];
    output.Failed = [
      ...((output.Failed as unknown[]) ?? []),
      ...failed.map((e) => ({ Id: (e as { Id: string }).Id, Code: 'InternalError', Message: 'injected by IMPACT_CHAOS', SenderFault: false })),
    ];
  },
});

const BATCHES: Record<string, BatchShape> = {
  BatchWriteItemCommand: tableRequests('RequestItems', false),
  BatchGetItemCommand: tableRequests('RequestItems', true),
  PublishBatchCommand: failedEntries('PublishBatchRequestEntries'),
  SendMessageBatchCommand: failedEntries('Entries'),
};

export class Chaos {
  readonly config: ChaosConfig;
  private readonly random: () => number;
  private readonly logFile: string;

  constructor(config: ChaosConfig, logFile: string) {
    this.config = config;
    this.random = prng(config.seed);
    this.logFile = logFile;
  }

  private injected(service: ChaosService, fault: ChaosFault, count = 1): void {
    appendFileSync(this.logFile, `${service} ${fault}\n`.repeat(count));
  }

  /** Adds the faults to a client's middleware stack; returns the client. */
  instrument<C extends { middlewareStack: unknown }>(client: C, service: ChaosService): C {
    const { throttle, fail } = this.config;
    const stack = stackOf(client);
    if (throttle > 0) {
      const throttling: Middleware = (next) => async (args) => {
        if (this.random() >= throttle) return next(args);
        this.injected(service, 'throttle');
        throw Object.assign(new Error(`Rate exceeded (injected by IMPACT_CHAOS)`), {
          name: THROTTLING_ERROR[service],
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      };
      stack.add(throttling as never, { step: 'finalizeRequest', priority: 'normal', name: 'chaosThrottling' });
    }
    if (fail > 0) {
      const failing: Middleware = (next, context) => async (args) => {
        const shape = BATCHES[context.commandName ?? ''];
        const input = args.input as Record<string, unknown>;
        if (!shape) return next(args);
        const all = shape.entries(input);
        const failed = all.filter(() => this.random() < fail);
        if (failed.length === 0) return next(args);
        this.injected(service, 'fail', failed.length);
        const kept = all.filter((e) => !failed.includes(e));
        const result =
          kept.length > 0 ? await next({ ...args, input: shape.withEntries(input, kept) }) : { output: { $metadata: { httpStatusCode: 200 } }, response: {} };
        shape.report(result.output as Record<string, unknown>, input, failed);
        return result;
      };
      stack.add(failing as never, { step: 'initialize', name: 'chaosFailedEntries' });
    }
    return client;
  }
}

/** The chaos of this process (IMPACT_CHAOS), or none. */
export const chaosFromEnvironment = (logFile: string, text = process.env.IMPACT_CHAOS): Chaos | undefined => {
  const config = parseChaos(text);
  return config && (config.throttle > 0 || config.fail > 0) ? new Chaos(config, logFile) : undefined;
};
