/**
 * The event store: one partition per subject, events keyed by a zero-padded version. An append writes
 * the event and its eventId dedupe item in one transaction, both conditional: the dedupe item makes a
 * redelivered event a no-op, the version slot gives optimistic concurrency between appenders. The same
 * transaction names the subject's owner (the tool that sent its first event) and refuses an event
 * from another tool (SubjectOwnedError; console and CLI act on any subject), so two tools racing on one
 * id cannot both get in. A lost
 * race re-reads the head and tries the next version; an appender that loses every try gets an
 * EventAlreadyExistsError and nothing is written. Items carry a schema version (domain/events/stored.ts):
 * every read, and the stream consumer, validates and upcasts them.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ImpactEvent } from '../domain/events/parse.ts';
import { actsOnAnySubject, ownershipProblem } from '../domain/events/ownership.ts';
import { readStoredEvent, storedEventAttributes, type StoredEvent } from '../domain/events/stored.ts';
import { subjectKey } from '../domain/subject.ts';
import { EVENT_ITEM_KIND } from './dynamodb/layout.ts';
import { queryAll, queryPages, scanAll } from './dynamodb/query.ts';
import { RetriesExhaustedError, backoffMs, isThrottling, sleep } from './dynamodb/retry.ts';

export type { StoredEvent } from '../domain/events/stored.ts';

export const versionKey = (version: number): string => `v#${String(version).padStart(10, '0')}`;
export const dedupeKey = (eventId: string) => ({ pk: `event#${eventId}`, sk: 'dedupe' });

type TransactWriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export type AppendResult = { status: 'appended'; version: number } | { status: 'duplicate' };

export const EVENT_ALREADY_EXISTS_ERROR_CODE = 'EventAlreadyExistsError';

/** An append that lost the race for the next version on every attempt: the event was not stored. */
export class EventAlreadyExistsError extends Error {
  readonly code = EVENT_ALREADY_EXISTS_ERROR_CODE;
  readonly subjectKey: string;
  /** The version slot lost last. */
  readonly version: number;
  readonly eventId: string;

  constructor(subjectKey: string, version: number, eventId: string, attempts: number, options?: ErrorOptions) {
    super(
      `event ${eventId} was not appended to ${subjectKey}: version ${version} already exists, and other appenders of the ` +
        `subject took the next version on each of ${attempts} attempts; nothing was written, deliver the event again`,
      options,
    );
    this.name = 'EventAlreadyExistsError';
    this.subjectKey = subjectKey;
    this.version = version;
    this.eventId = eventId;
  }
}

export const isEventAlreadyExistsError = (error: unknown): error is EventAlreadyExistsError =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === EVENT_ALREADY_EXISTS_ERROR_CODE;

export const SUBJECT_OWNED_ERROR_CODE = 'SubjectOwnedError';

/** An event from a source that does not own its subject (domain/events/ownership.ts): nothing was written. */
export class SubjectOwnedError extends Error {
  readonly code = SUBJECT_OWNED_ERROR_CODE;
  readonly subjectKey: string;
  readonly owner: string;
  readonly source: string;
  readonly eventId: string;

  constructor(subjectKey: string, owner: string, source: string, eventId: string, options?: ErrorOptions) {
    super(ownershipProblem(subjectKey, owner, source).message, options);
    this.name = 'SubjectOwnedError';
    this.subjectKey = subjectKey;
    this.owner = owner;
    this.source = source;
    this.eventId = eventId;
  }
}

export const isSubjectOwnedError = (error: unknown): error is SubjectOwnedError =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === SUBJECT_OWNED_ERROR_CODE;

/** The item that says which tool owns a subject (domain/events/ownership.ts), written with its first tool event. */
export const ownerKey = (subjectKey: string) => ({ pk: subjectKey, sk: 'owner' });

/**
 * The ownership part of an append of a tool's event, in the same transaction: the tool becomes the
 * owner unless one is named already, and the append is conditional on the owner being that tool (or
 * nobody yet). An update that changes nothing writes no stream record. Console and CLI events have none.
 */
const ownershipItem = (table: string, event: ImpactEvent, key: string): TransactWriteItem[] =>
  actsOnAnySubject(event.source)
    ? []
    : [
        {
          Update: {
            TableName: table,
            Key: ownerKey(key),
            UpdateExpression: 'SET #source = if_not_exists(#source, :source), kind = :kind',
            ConditionExpression: 'attribute_not_exists(pk) OR #source = :source',
            ExpressionAttributeNames: { '#source': 'source' },
            ExpressionAttributeValues: { ':source': event.source, ':kind': 'owner' },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ];

export interface EventStoreOptions {
  /** Appenders racing on one subject try this often before giving up (each try re-reads the head). */
  maxAppendAttempts?: number;
}

const MAX_APPEND_ATTEMPTS = 40;

export class EventStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly maxAppendAttempts: number;

  constructor(client: DynamoDBDocumentClient, table: string, options: EventStoreOptions = {}) {
    this.client = client;
    this.table = table;
    this.maxAppendAttempts = options.maxAppendAttempts ?? MAX_APPEND_ATTEMPTS;
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
    const ownership = ownershipItem(this.table, event, key);
    let version = 0;
    let lastFailure: { raced: boolean; error: unknown } | undefined;
    for (let attempt = 0; attempt < this.maxAppendAttempts; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt, 5, 250));
      try {
        version = (await this.headVersion(key)) + 1;
      } catch (error) {
        if (!isThrottling(error)) throw error;
        lastFailure = { raced: false, error };
        continue;
      }
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.table,
                  Item: { pk: key, sk: versionKey(version), kind: EVENT_ITEM_KIND, ...storedEventAttributes(event, version, recordedAt) },
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
              ...ownership,
            ],
          }),
        );
        return { status: 'appended', version };
      } catch (error) {
        if (isThrottling(error)) {
          lastFailure = { raced: false, error };
          continue;
        }
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [slot, dedupe, owner] = error.CancellationReasons ?? [];
        if (dedupe?.Code === 'ConditionalCheckFailed') return { status: 'duplicate' };
        if (owner?.Code === 'ConditionalCheckFailed') {
          const ownerSource = owner.Item ? String(unmarshall(owner.Item).source) : 'another source';
          throw new SubjectOwnedError(key, ownerSource, event.source, event.eventId, { cause: error });
        }
        if (slot?.Code === 'ConditionalCheckFailed' || [slot, dedupe, owner].some((r) => r?.Code === 'TransactionConflict')) {
          lastFailure = { raced: true, error };
          continue;
        }
        throw error;
      }
    }
    const cause = { cause: lastFailure?.error };
    if (lastFailure?.raced) throw new EventAlreadyExistsError(key, version, event.eventId, this.maxAppendAttempts, cause);
    throw new RetriesExhaustedError(`appending ${event.eventId} to ${key}`, this.maxAppendAttempts, cause);
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
      ExpressionAttributeValues: { ':event': EVENT_ITEM_KIND },
      ConsistentRead: true,
    });
    const bySubject = new Map<string, StoredEvent[]>();
    for (const stored of items
      .map(toStoredEvent)
      .sort((a, b) => (a.subjectKey < b.subjectKey ? -1 : a.subjectKey > b.subjectKey ? 1 : a.version - b.version))) {
      const list = bySubject.get(stored.subjectKey) ?? [];
      list.push(stored);
      bySubject.set(stored.subjectKey, list);
    }
    return bySubject;
  }
}

/**
 * A stored event item (also what the DynamoDB stream carries as NEW_IMAGE, unmarshalled) back into a
 * StoredEvent of the current schema version; throws StoredEventError when the item cannot be read.
 */
export const toStoredEvent = (item: Record<string, unknown>): StoredEvent => readStoredEvent(String(item.pk), item);
