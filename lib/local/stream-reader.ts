/**
 * Reads the event store's stream through the real DynamoDB Streams API (DynamoDB Local implements
 * it) and hands records to a consumer as DynamoDBStreamEvent batches, in order. The position of each
 * shard is stored (the runtime's store) after a batch succeeds, so a restart resumes where it stopped;
 * failed records are retried, then written to the dead letters (bounded retries, as the Lambda mapping
 * is configured).
 */
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { DeadLetterFile } from './dead-letters.ts';
import { describeError } from './log.ts';
import type { LocalStore } from './store.ts';

export interface StreamReaderOptions {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  table: string;
  store: LocalStore;
  deadLetters: DeadLetterFile;
  consumer: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  maxAttempts?: number;
  /** Resolves once DynamoDB Local is up: a retry waits for it rather than spending its attempts on a restart. */
  ready?: () => Promise<void>;
}

export class StreamReader {
  private readonly streams: DynamoDBStreamsClient;
  private readonly dynamodb: DynamoDBClient;
  private readonly options: StreamReaderOptions;
  private readonly iterators = new Map<string, string | undefined>();
  private readonly positions;

  constructor(options: StreamReaderOptions) {
    this.options = options;
    const config = { endpoint: options.endpoint, region: options.region, credentials: options.credentials };
    this.streams = new DynamoDBStreamsClient(config);
    this.dynamodb = new DynamoDBClient(config);
    this.positions = {
      get: options.store.prepare('SELECT sequence_number FROM stream_positions WHERE shard_id = ?'),
      set: options.store.prepare(
        'INSERT INTO stream_positions (shard_id, sequence_number) VALUES (?, ?) ON CONFLICT (shard_id) DO UPDATE SET sequence_number = excluded.sequence_number',
      ),
    };
  }

  /** One pass over every shard; returns the number of records delivered. */
  async poll(): Promise<number> {
    const { Table } = await this.dynamodb.send(new DescribeTableCommand({ TableName: this.options.table }));
    const streamArn = Table?.LatestStreamArn;
    if (!streamArn) return 0;
    const { StreamDescription } = await this.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    let delivered = 0;
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId!;
      const closed = !!shard.SequenceNumberRange?.EndingSequenceNumber;
      if (closed && this.iterators.has(shardId) && this.iterators.get(shardId) === undefined) continue; // closed and drained
      let iterator = this.iterators.get(shardId);
      if (!iterator) {
        const after = (this.positions.get.get(shardId) as { sequence_number: string } | undefined)?.sequence_number;
        const out = await this.streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
          }),
        );
        iterator = out.ShardIterator;
      }
      if (!iterator) continue;
      let out;
      try {
        out = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 25 }));
      } catch (error) {
        // Expired or trimmed iterators: start again from the persisted position.
        this.iterators.delete(shardId);
        if (/Trimmed|Expired/i.test((error as Error).name)) continue;
        throw error;
      }
      const records = out.Records ?? [];
      // After an empty read DynamoDB Local's next iterator can point before the oldest record: an open
      // shard is re-opened from the persisted position on the next poll instead.
      if (records.length > 0 || closed) this.iterators.set(shardId, out.NextShardIterator);
      else this.iterators.delete(shardId);
      if (records.length === 0) continue;
      await this.deliver(records);
      this.positions.set.run(shardId, records[records.length - 1].dynamodb!.SequenceNumber!);
      delivered += records.length;
    }
    return delivered;
  }

  private async deliver(records: _Record[]): Promise<void> {
    let pending = records;
    let thrown = '';
    for (let attempt = 1; pending.length > 0; attempt++) {
      const event = { Records: pending } as unknown as DynamoDBStreamEvent;
      const response = await this.options.consumer(event).catch((error: unknown) => {
        thrown = `: the consumer threw ${describeError(error)}`;
        return { batchItemFailures: [{ itemIdentifier: pending[0].dynamodb!.SequenceNumber! }] };
      });
      const failedAt = response.batchItemFailures[0]?.itemIdentifier;
      if (failedAt === undefined) return;
      // As the Lambda mapping backs off between retries: a killed DynamoDB Local is restarted within
      // seconds, and five retries in a row would otherwise all land in that gap.
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** (attempt - 1), 3_000)));
      await this.options.ready?.();
      // Like the Lambda mapping: resume from the first failed record.
      const from = pending.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
      pending = pending.slice(Math.max(0, from));
      if (attempt >= (this.options.maxAttempts ?? 5)) {
        this.options.deadLetters.add('stream', `stream record failed ${attempt} times${thrown}`, { sequenceNumber: failedAt });
        thrown = '';
        pending = pending.slice(1);
        attempt = 0;
      }
    }
  }
}
