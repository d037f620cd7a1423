/**
 * The reads of one customer shard of a subject, merge-joined by customer id: the usage partitions of
 * the hit touchpoints (graph table), the subject's stored impacts and ledger records (bySubject index),
 * and the ledgers of changes an incident folds into. Every source is a Query sorted by customer id and
 * read a page at a time, so a shard of any size is walked with a few pages in memory (issue 12).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NodeId } from '../domain/model.ts';
import { TOLD_KINDS } from '../domain/notices/kinds.ts';
import type { ShardCustomer, StoredImpact } from '../domain/notices/shard-plan.ts';
import type { SentNotice } from '../domain/notices/told.ts';
import { partitionsFor, shardOf } from '../domain/shards.ts';
import { SUBJECT_SHARDS } from './dynamodb/layout.ts';
import { mergeByKey, queryPagesAhead, type SortedSource } from './dynamodb/query.ts';
import { customerOfUsage, usagePartition } from './graph-store.ts';
import { ledgerEntryOf } from './ledger.ts';

export interface ShardRead {
  subjectKey: string;
  shard: number;
  /** Planning shards of the run (a divisor of SUBJECT_SHARDS). */
  shards: number;
  /** Hit touchpoints whose usages to join (none: only stored impacts and ledger, e.g. scheduled notices). */
  touchpoints: readonly NodeId[];
  /** The usage shard count of the graph version assessed against. */
  usageShards: number;
  /** Changes whose told customers are spared this incident's notices. */
  coveringChanges?: readonly string[];
}

type Item = Record<string, unknown>;
type Tagged = { source: 'usage' | 'impact' | 'ledger' | 'covering'; item: Item };

const IMPACT = 'impact#';
const LEDGER = 'ledger#';

export class ShardStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly graphTable: string;
  private readonly impactsTable: string;

  constructor(client: DynamoDBDocumentClient, tables: { graph: string; impacts: string }) {
    this.client = client;
    this.graphTable = tables.graph;
    this.impactsTable = tables.impacts;
  }

  /** The bySubject partitions of planning shard `shard` of `shards` (a divisor of SUBJECT_SHARDS). */
  private indexSources(subjectKey: string, shard: number, shards: number, prefix: string, tag: Tagged['source'], pageSize: number): SortedSource<Tagged>[] {
    const { shards: stored, filter } = partitionsFor(shard, shards, SUBJECT_SHARDS);
    return stored.map((s) => ({
      pages: tagged(
        queryPagesAhead(
          this.client,
          {
            TableName: this.impactsTable,
            IndexName: 'bySubject',
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)',
            ExpressionAttributeValues: { ':pk': `${subjectKey}#${s}`, ':sk': prefix },
          },
          pageSize,
        ),
        tag,
        filter ? (i) => shardOf(String(i.customerId), shards) === shard : undefined,
      ),
      key: (t) => String(t.item.customerId),
    }));
  }

  /** The shard's customers in id order, each with everything the shard's partitions hold about them. */
  async *customers(read: ShardRead, pageSize = 400): AsyncGenerator<ShardCustomer> {
    const usage = partitionsFor(read.shard, read.shards, read.usageShards);
    const sources: SortedSource<Tagged>[] = [
      ...read.touchpoints.flatMap((touchpoint) =>
        usage.shards.map((u) => ({
          pages: tagged(
            queryPagesAhead(
              this.client,
              { TableName: this.graphTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': usagePartition(touchpoint, u) } },
              pageSize,
            ),
            'usage',
            usage.filter ? (i) => shardOf(String(i.c), read.shards) === read.shard : undefined,
            touchpoint,
          ),
          key: (t: Tagged) => String(t.item.c),
        })),
      ),
      ...this.indexSources(read.subjectKey, read.shard, read.shards, IMPACT, 'impact', pageSize),
      ...this.indexSources(read.subjectKey, read.shard, read.shards, LEDGER, 'ledger', pageSize),
      ...(read.coveringChanges ?? []).flatMap((change) => this.indexSources(change, read.shard, read.shards, LEDGER, 'covering', pageSize)),
    ];
    const told = TOLD_KINDS.change as readonly string[];
    for await (const { key, items } of mergeByKey(sources)) {
      const all = items.flat();
      const customer: ShardCustomer = { customerId: key, usages: [], sent: [] };
      const sent: SentNotice[] = [];
      for (const { source, item } of all) {
        if (source === 'usage') {
          (customer.usages as { touchpoint: string; from?: number; to?: number }[]).push({
            touchpoint: String(item.touchpoint),
            from: item.f as number | undefined,
            to: item.t as number | undefined,
          });
          customer.profile ??= customerOfUsage(key, item.p);
        } else if (source === 'impact') customer.before = storedImpactOf(item);
        else if (source === 'ledger') sent.push(ledgerEntryOf(item));
        else if (told.includes(String(item.noticeKind))) customer.toldOfCoveringChange = true;
      }
      customer.sent = sent;
      yield customer;
    }
  }
}

/** Tags a source's items, a page at a time (and drops those of other shards when a partition holds several). */
async function* tagged(pages: AsyncGenerator<Item[]>, source: Tagged['source'], keep?: (i: Item) => boolean, touchpoint?: string): AsyncGenerator<Tagged[]> {
  for await (const page of pages) {
    yield (keep ? page.filter(keep) : page).map((item) => ({ source, item: touchpoint ? { ...item, touchpoint } : item }));
  }
}

export const storedImpactOf = (i: Item): StoredImpact => ({
  customerId: String(i.customerId),
  effect: i.effect as StoredImpact['effect'],
  touchpoints: (i.touchpoints as string[]) ?? [],
  notify: (i.notify as string[]) ?? [],
  ...(i.locale ? { locale: String(i.locale) } : {}),
  ...(i.timeZone ? { timeZone: String(i.timeZone) } : {}),
  ...(i.segment ? { segment: String(i.segment) } : {}),
  ...(i.quietHours ? { quietHours: i.quietHours as { start: string; end: string } } : {}),
});
