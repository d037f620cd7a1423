/**
 * The notification ledger: per subject and customer, what was sent (kind, version, channel, time).
 * A record is written on condition that it does not exist, so one (subject, customer, kind, version)
 * is recorded once however often a worker retries. Records are also indexed by subject (sharded)
 * so that a resolution can reach everyone who was told.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SUBJECT_SHARDS } from '../../lib/tables.ts';
import { shardOf } from './graph-store.ts';
import { queryAll } from './dynamodb/query.ts';
import { batchGet, batchWrite } from './dynamodb/batch.ts';
import { RetriesExhaustedError, backoffMs, isThrottling, runBounded, sleep } from './dynamodb/retry.ts';

export interface LedgerEntry {
  subjectKey: string;
  customerId: string;
  kind: string;
  version: number;
  channel: string;
  sentAt: number;
  /** 'claimed' while a worker is sending it, 'sent' once the topic accepted it. */
  status?: 'claimed' | 'sent';
  /** The job (SQS message id) that claimed it: a redelivered job may finish its own claims. */
  claimedBy?: string;
}

export const ledgerKey = (e: Pick<LedgerEntry, 'subjectKey' | 'customerId' | 'kind' | 'version'>) => ({
  pk: `customer#${e.customerId}`,
  sk: `ledger#${e.subjectKey}#${e.kind}#${String(e.version).padStart(6, '0')}`,
});

export const subjectShard = (subjectKey: string, customerId: string) => `${subjectKey}#${shardOf(customerId, SUBJECT_SHARDS)}`;

/** Conditional puts go in transactions of this many (one round trip, each put still conditional). */
const TRANSACTION_SIZE = 100;
const MAX_ATTEMPTS = 10;

const toItem = (e: LedgerEntry) => ({
  ...ledgerKey(e),
  kind: 'ledger',
  gsi1pk: subjectShard(e.subjectKey, e.customerId),
  gsi1sk: `ledger#${e.customerId}#${e.kind}#${String(e.version).padStart(6, '0')}`,
  subjectKey: e.subjectKey,
  customerId: e.customerId,
  noticeKind: e.kind,
  version: e.version,
  channel: e.channel,
  sentAt: e.sentAt,
  status: e.status ?? 'sent',
  ...(e.claimedBy ? { claimedBy: e.claimedBy } : {}),
});

const fromItem = (i: Record<string, unknown>): LedgerEntry => ({
  subjectKey: String(i.subjectKey),
  customerId: String(i.customerId),
  kind: String(i.noticeKind),
  version: Number(i.version),
  channel: String(i.channel),
  sentAt: Number(i.sentAt),
  status: i.status === 'claimed' ? 'claimed' : 'sent',
  ...(i.claimedBy ? { claimedBy: String(i.claimedBy) } : {}),
});

/** Items of one kind (`ledger#` or `impact#`) indexed under a subject, across its index shards. */
export const queryBySubject = async (client: DynamoDBDocumentClient, table: string, subjectKey: string, prefix: string) =>
  (
    await Promise.all(
      Array.from({ length: SUBJECT_SHARDS }, (_, shard) =>
        queryAll(client, {
          TableName: table,
          IndexName: 'bySubject',
          KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)',
          ExpressionAttributeValues: { ':pk': `${subjectKey}#${shard}`, ':sk': prefix },
        }),
      ),
    )
  ).flat();

export class Ledger {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  /**
   * Records entries exactly once each. Returns which were new (recorded now) and which had been
   * recorded before (a retry): the caller sends a notice only for a new record.
   */
  async record(entries: readonly LedgerEntry[], concurrency = 8): Promise<{ recorded: LedgerEntry[]; already: LedgerEntry[] }> {
    const recorded: LedgerEntry[] = [];
    const already: LedgerEntry[] = [];
    const unique = [...new Map(entries.map((e) => [JSON.stringify(ledgerKey(e)), e])).values()];
    const groups: LedgerEntry[][] = [];
    for (let i = 0; i < unique.length; i += TRANSACTION_SIZE) groups.push(unique.slice(i, i + TRANSACTION_SIZE));
    await runBounded(groups, concurrency, async (group) => {
      let pending = group;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new RetriesExhaustedError(`recording ${pending.length} ledger entries`, attempt);
        if (attempt > 0) await sleep(backoffMs(attempt));
        try {
          await this.client.send(
            new TransactWriteCommand({
              TransactItems: pending.map((e) => ({ Put: { TableName: this.table, Item: toItem(e), ConditionExpression: 'attribute_not_exists(pk)' } })),
            }),
          );
          recorded.push(...pending);
          pending = [];
        } catch (error) {
          if (isThrottling(error)) continue;
          if (!(error instanceof TransactionCanceledException)) throw error;
          // Drop the entries that were already recorded; retry the rest (conflicts, throttling).
          const reasons = error.CancellationReasons ?? [];
          const next: LedgerEntry[] = [];
          pending.forEach((e, i) => (reasons[i]?.Code === 'ConditionalCheckFailed' ? already.push(e) : next.push(e)));
          pending = next;
        }
      }
    });
    return { recorded, already };
  }

  /**
   * Claims entries for sending by `claimant`. `send` = claimed now, or claimed earlier by the same
   * claimant and never marked sent (the worker died mid-batch and its job came back); everything else
   * is someone else's or already sent and must not be sent again.
   */
  async claim(entries: readonly LedgerEntry[], claimant: string): Promise<{ send: LedgerEntry[]; skipped: LedgerEntry[] }> {
    const { recorded, already } = await this.record(entries.map((e) => ({ ...e, status: 'claimed' as const, claimedBy: claimant })));
    if (already.length === 0) return { send: recorded, skipped: [] };
    const stored = await batchGet<Record<string, unknown>>(this.client, this.table, already.map(ledgerKey));
    const mine = new Set(stored.map(fromItem).filter((e) => e.status === 'claimed' && e.claimedBy === claimant).map((e) => JSON.stringify(ledgerKey(e))));
    const send = [...recorded];
    const skipped: LedgerEntry[] = [];
    for (const e of already) (mine.has(JSON.stringify(ledgerKey(e))) ? send : skipped).push(e);
    return { send, skipped };
  }

  /** Marks claimed entries as sent (idempotent overwrite). */
  async markSent(entries: readonly LedgerEntry[], sentAt: number): Promise<void> {
    await batchWrite(this.client, this.table, entries.map((e) => ({ PutRequest: { Item: toItem({ ...e, status: 'sent', sentAt, claimedBy: undefined }) } })));
  }

  /** Gives claims back (the notice could not be sent), so that a retry or a DLQ redrive may send it. */
  async release(entries: readonly LedgerEntry[]): Promise<void> {
    await batchWrite(this.client, this.table, entries.map((e) => ({ DeleteRequest: { Key: ledgerKey(e) } })));
  }

  /** What one customer was sent about one subject. */
  async sentTo(subjectKey: string, customerId: string): Promise<LedgerEntry[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': `customer#${customerId}`, ':sk': `ledger#${subjectKey}#` },
      ConsistentRead: true,
    });
    return items.map(fromItem);
  }

  /** Everything sent about a subject, across its index shards. */
  async sentAbout(subjectKey: string): Promise<LedgerEntry[]> {
    return (await queryBySubject(this.client, this.table, subjectKey, 'ledger#')).map(fromItem);
  }
}
