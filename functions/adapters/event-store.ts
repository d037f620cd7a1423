/**
 * The event store: one partition per subject, events keyed by a zero-padded version. An append writes
 * the event and its eventId dedupe item in one transaction, both conditional: the dedupe item makes a
 * redelivered event a no-op, the version slot gives optimistic concurrency between appenders.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ImpactEvent } from '../domain/events/parse.ts';
import { subjectKey } from '../domain/subject.ts';
import { queryAll, queryPages, scanAll } from './dynamodb/query.ts';
import { RetriesExhaustedError, backoffMs, isThrottling, sleep } from './dynamodb/retry.ts';

export const versionKey = (version: number): string => `v#${String(version).padStart(10, '0')}`;
export const dedupeKey = (eventId: string) => ({ pk: `event#${eventId}`, sk: 'dedupe' });

export interface StoredEvent {
  subjectKey: string;
  version: number;
  recordedAt: number;
  event: ImpactEvent;
}

export type AppendResult = { status: 'appended'; version: number } | { status: 'duplicate' };

/** Appenders racing on one subject retry this often before giving up (each retry re-reads the head). */
const MAX_APPEND_ATTEMPTS = 40;

export class EventStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  private async headVersion(key: string): Promise<number> {
    for await (const page of queryPages(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': key, ':v': 'v#' },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
      ProjectionExpression: 'version',
    })) {
      return page.length > 0 ? Number(page[0].version) : 0;
    }
    return 0;
  }

  async append(event: ImpactEvent, recordedAt = Date.now()): Promise<AppendResult> {
    const key = subjectKey(event);
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt, 5, 250));
      let version: number;
      try {
        version = (await this.headVersion(key)) + 1;
      } catch (error) {
        if (isThrottling(error)) continue;
        throw error;
      }
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.table,
                  Item: {
                    pk: key,
                    sk: versionKey(version),
                    kind: 'event',
                    version,
                    eventId: event.eventId,
                    detailType: event.detailType,
                    occurredAt: event.occurredAt,
                    recordedAt,
                    ...(event.replayName ? { replayName: event.replayName } : {}),
                    event: JSON.stringify(event),
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: this.table,
                  Item: { ...dedupeKey(event.eventId), kind: 'dedupe', subjectKey: key, version, recordedAt },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return { status: 'appended', version };
      } catch (error) {
        if (isThrottling(error)) continue;
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [slot, dedupe] = error.CancellationReasons ?? [];
        if (dedupe?.Code === 'ConditionalCheckFailed') return { status: 'duplicate' };
        if (slot?.Code === 'ConditionalCheckFailed' || slot?.Code === 'TransactionConflict' || dedupe?.Code === 'TransactionConflict') continue;
        throw error;
      }
    }
    throw new RetriesExhaustedError(`appending to ${key} (version conflicts)`, MAX_APPEND_ATTEMPTS);
  }

  /** One subject's events in version order. */
  async readSubject(key: string): Promise<StoredEvent[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': key, ':v': 'v#' },
      ConsistentRead: true,
    });
    return items.map(toStoredEvent);
  }

  /** Every subject's events, each in version order (for replay), subjects sorted by key. */
  async readAll(): Promise<Map<string, StoredEvent[]>> {
    const items = await scanAll(this.client, {
      TableName: this.table,
      FilterExpression: '#kind = :event',
      ExpressionAttributeNames: { '#kind': 'kind' },
      ExpressionAttributeValues: { ':event': 'event' },
      ConsistentRead: true,
    });
    const bySubject = new Map<string, StoredEvent[]>();
    for (const stored of items.map(toStoredEvent).sort((a, b) => (a.subjectKey < b.subjectKey ? -1 : a.subjectKey > b.subjectKey ? 1 : a.version - b.version))) {
      const list = bySubject.get(stored.subjectKey) ?? [];
      list.push(stored);
      bySubject.set(stored.subjectKey, list);
    }
    return bySubject;
  }
}

/** A stored event item (also what the DynamoDB stream carries as NEW_IMAGE) back into a StoredEvent. */
export const toStoredEvent = (item: Record<string, unknown>): StoredEvent => ({
  subjectKey: String(item.pk),
  version: Number(item.version),
  recordedAt: Number(item.recordedAt),
  event: JSON.parse(String(item.event)) as ImpactEvent,
});
