/**
 * Delivery state in the impacts table, beside the ledger and never inside its items (the ledger's
 * claim and sent records stay as they are): what became of each sent notice on each channel, the
 * subject's delivery counters, and the customers nobody could reach.
 *
 * - One delivery record per notice: `customer#<id>` / `delivery#<subject>#<kind>#<version>`, indexed by
 *   subject like the ledger (bySubject, 16 shards). Each channel's state is one map attribute (`email`,
 *   `sms`, `push`) that only moves forward (domain/delivery/state.ts). A step is applied as read, join,
 *   write on condition that the record's version `dv` is still the one read (a lost race reads again);
 *   the counters move in the same TransactWriteItems, so each counts a notice exactly once however often
 *   a receipt arrives. `<channel>Lease` is the sending lease of a deliver function; `<channel>Fallback`
 *   and `<channel>Marked` record that a failure's consequences (the fallback job, the contact mark)
 *   were carried out, so a receipt delivered again completes what a crash left undone.
 * - Counters per subject and channel: `deliveries#<subject>#<shard>` / `counts`, sharded like the index
 *   (a 390,000-customer incident would otherwise put every receipt on one item: 1,000 WCU/s a partition).
 * - Customers nobody could reach: `customer#<id>` / `unreached#<subject>`, indexed as
 *   `unreached#<customer>` under the subject, written when no channel is left and deleted once a notice
 *   about the subject reached them.
 * Cost of a receipt that changes a state: one read, one transaction of two items (about 4 WCU).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { applyStep, counterDeltas, sameDelivery, COUNT_NAMES, type ChannelDelivery, type DeliveryCounts, type DeliveryStep } from '../domain/delivery/state.ts';
import { NOTIFY_CHANNELS, type NotifyChannel } from '../domain/model.ts';
import { noticeId, type NoticeKey } from '../domain/notices/notice-id.ts';
import { shardOf } from '../domain/shards.ts';
import { SUBJECT_SHARDS } from './dynamodb/layout.ts';
import { batchWrite } from './dynamodb/batch.ts';
import { queryAll } from './dynamodb/query.ts';
import { backoffMs, runBounded, sleep } from './dynamodb/retry.ts';
import { subjectShard } from './ledger.ts';

const padded = (version: number) => String(version).padStart(6, '0');

export const deliveryKey = (n: NoticeKey) => ({ pk: `customer#${n.customerId}`, sk: `delivery#${n.subjectKey}#${n.kind}#${padded(n.version)}` });
const counterKey = (subjectKey: string, shard: number) => ({ pk: `deliveries#${subjectKey}#${shard}`, sk: 'counts' });
const unreachedKey = (subjectKey: string, customerId: string) => ({ pk: `customer#${customerId}`, sk: `unreached#${subjectKey}` });

export interface DeliveryRecord extends NoticeKey {
  noticeId: string;
  /** When the event the notice tells of occurred (epoch ms). */
  eventAt?: number;
  locale?: string;
  channels: Partial<Record<NotifyChannel, ChannelDelivery>>;
  /** Channels whose failure's fallback job was queued (when). */
  fallbacks: Partial<Record<NotifyChannel, number>>;
  /** Channels whose contact was marked after a failure or complaint (when). */
  marked: Partial<Record<NotifyChannel, number>>;
  /** Version of the record (every applied step moves it). */
  dv: number;
}

/** What the deliver function knows of a notice besides its key: stored with the record for fallbacks and metrics. */
export interface NoticeFacts {
  eventAt?: number;
  locale?: string;
}

export interface Unreached {
  customerId: string;
  subjectKey: string;
  /** Why no channel was left, per channel (no contact details). */
  reason: string;
  /** The notice that could not go out. */
  noticeId: string;
  kind: string;
  at: number;
}

export type ChannelCounts = Record<NotifyChannel, DeliveryCounts>;

const isChannel = (value: string): value is NotifyChannel => (NOTIFY_CHANNELS as readonly string[]).includes(value);

const recordOf = (item: Record<string, unknown>): DeliveryRecord => {
  const channels: DeliveryRecord['channels'] = {};
  const fallbacks: DeliveryRecord['fallbacks'] = {};
  const marked: DeliveryRecord['marked'] = {};
  for (const c of NOTIFY_CHANNELS) {
    if (item[c]) channels[c] = item[c] as ChannelDelivery;
    if (typeof item[`${c}Fallback`] === 'number') fallbacks[c] = item[`${c}Fallback`] as number;
    if (typeof item[`${c}Marked`] === 'number') marked[c] = item[`${c}Marked`] as number;
  }
  return {
    subjectKey: String(item.subjectKey),
    customerId: String(item.customerId),
    kind: String(item.noticeKind),
    version: Number(item.version),
    noticeId: String(item.noticeId),
    ...(typeof item.eventAt === 'number' ? { eventAt: item.eventAt } : {}),
    ...(typeof item.locale === 'string' ? { locale: item.locale } : {}),
    channels,
    fallbacks,
    marked,
    dv: Number(item.dv ?? 0),
  };
};

const emptyCounts = (): DeliveryCounts => Object.fromEntries(COUNT_NAMES.map((n) => [n, 0])) as unknown as DeliveryCounts;

export class DeliveryContentionError extends Error {
  readonly code = 'DELIVERY_CONTENTION';
  constructor(notice: string, attempts: number, options?: ErrorOptions) {
    super(`delivery record of ${notice}: ${attempts} concurrent updates in a row; the receipt is retried`, options);
    this.name = 'DeliveryContentionError';
  }
}

const APPLY_ATTEMPTS = 12;

export class Deliveries {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  async get(key: NoticeKey): Promise<DeliveryRecord | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: deliveryKey(key), ConsistentRead: true }));
    return out.Item ? recordOf(out.Item) : undefined;
  }

  /** The attributes that name a record, written by whichever step comes first. */
  private identity(key: NoticeKey, facts: NoticeFacts) {
    return {
      kind: 'delivery',
      gsi1pk: subjectShard(key.subjectKey, key.customerId),
      gsi1sk: `delivery#${key.customerId}#${key.kind}#${padded(key.version)}`,
      subjectKey: key.subjectKey,
      customerId: key.customerId,
      noticeKind: key.kind,
      version: key.version,
      noticeId: noticeId(key),
      ...(facts.eventAt !== undefined ? { eventAt: facts.eventAt } : {}),
      ...(facts.locale ? { locale: facts.locale } : {}),
    };
  }

  /**
   * Takes the sending lease of a channel: `claimed` (send now), `done` (a state is recorded: it was sent
   * before, drop the repeat) or `busy` (another worker holds an unexpired lease: try again later).
   */
  async claimSend(key: NoticeKey, channel: NotifyChannel, facts: NoticeFacts, now: number, leaseMs: number): Promise<'claimed' | 'done' | 'busy'> {
    const identity = this.identity(key, facts);
    const names = Object.fromEntries(Object.keys(identity).map((k, i) => [`#i${i}`, k]));
    const values = Object.fromEntries(Object.values(identity).map((v, i) => [`:i${i}`, v]));
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: deliveryKey(key),
          UpdateExpression: `SET #lease = :until, ${Object.keys(names)
            .map((n, i) => `${n} = if_not_exists(${n}, :i${i})`)
            .join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#state) AND (attribute_not_exists(#lease) OR #lease < :now)',
          ExpressionAttributeNames: { '#lease': `${channel}Lease`, '#state': channel, ...names },
          ExpressionAttributeValues: { ':until': now + leaseMs, ':now': now, ...values },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const record = await this.get(key);
      return record?.channels[channel] ? 'done' : 'busy';
    }
  }

  /** Gives the lease back (the send did not happen: throttled, or an error to retry). */
  async releaseSend(key: NoticeKey, channel: NotifyChannel): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: deliveryKey(key),
        UpdateExpression: 'REMOVE #lease',
        ExpressionAttributeNames: { '#lease': `${channel}Lease` },
      }),
    );
  }

  /**
   * Applies one step to a channel's state and moves the subject's counters with it, atomically. Returns
   * the state before and after (equal when the step changed nothing: a repeat) and the record as written.
   */
  async apply(
    key: NoticeKey,
    channel: NotifyChannel,
    step: DeliveryStep,
    facts: NoticeFacts = {},
  ): Promise<{ before?: ChannelDelivery; after: ChannelDelivery; record: DeliveryRecord }> {
    for (let attempt = 0; attempt < APPLY_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt));
      const current = await this.get(key);
      const before = current?.channels[channel];
      const after = applyStep(before, step);
      const eventAt = current?.eventAt ?? facts.eventAt;
      const record: DeliveryRecord = current
        ? { ...current, channels: { ...current.channels, [channel]: after }, dv: current.dv + 1 }
        : { ...key, noticeId: noticeId(key), ...facts, channels: { [channel]: after }, fallbacks: {}, marked: {}, dv: 1 };
      if (sameDelivery(before, after)) return { before, after, record: current! };
      const deltas = counterDeltas(before, after, eventAt);
      const identity = this.identity(key, {
        ...facts,
        ...(current?.eventAt !== undefined ? { eventAt: current.eventAt } : {}),
        ...(current?.locale ? { locale: current.locale } : {}),
      });
      const names = Object.fromEntries(Object.keys(identity).map((k, i) => [`#i${i}`, k]));
      const values = Object.fromEntries(Object.values(identity).map((v, i) => [`:i${i}`, v]));
      const counterUpdates = Object.entries(deltas).map(([name, delta], i) => ({ name: `${channel}_${name}`, alias: `#c${i}`, value: `:c${i}`, delta }));
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.table,
                  Key: deliveryKey(key),
                  UpdateExpression: `SET #state = :state, dv = :next, ${Object.keys(names)
                    .map((n, i) => `${n} = :i${i}`)
                    .join(', ')} REMOVE #lease`,
                  ConditionExpression: current && current.dv > 0 ? 'dv = :dv' : 'attribute_not_exists(dv)',
                  ExpressionAttributeNames: { '#state': channel, '#lease': `${channel}Lease`, ...names },
                  ExpressionAttributeValues: { ':state': after, ':next': record.dv, ...(current && current.dv > 0 ? { ':dv': current.dv } : {}), ...values },
                },
              },
              ...(counterUpdates.length > 0
                ? [
                    {
                      Update: {
                        TableName: this.table,
                        Key: counterKey(key.subjectKey, shardOf(key.customerId, SUBJECT_SHARDS)),
                        UpdateExpression: `SET kind = :kind, subjectKey = :subject ADD ${counterUpdates.map((c) => `${c.alias} ${c.value}`).join(', ')}`,
                        ExpressionAttributeNames: Object.fromEntries(counterUpdates.map((c) => [c.alias, c.name])),
                        ExpressionAttributeValues: {
                          ':kind': 'delivery-counts',
                          ':subject': key.subjectKey,
                          ...Object.fromEntries(counterUpdates.map((c) => [c.value, c.delta])),
                        },
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
        return { before, after, record };
      } catch (error) {
        // Someone moved the record since we read it: read again and join with what is there now.
        if (
          error instanceof TransactionCanceledException &&
          error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')
        )
          continue;
        throw error;
      }
    }
    throw new DeliveryContentionError(noticeId(key), APPLY_ATTEMPTS);
  }

  /** Records that a failure's consequence (the fallback job, the contact mark) was carried out on a channel. */
  async noteDone(key: NoticeKey, what: 'Fallback' | 'Marked', channel: NotifyChannel, at: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: deliveryKey(key),
        UpdateExpression: 'SET #f = :at',
        ExpressionAttributeNames: { '#f': `${channel}${what}` },
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  /**
   * Claims the fallback of a notice on `channel` for `claimant` (an SQS message id): true when it is
   * the claimant's (now or from its earlier attempt), false when another job already took that channel.
   * Exactly once per (subject, customer, kind, version, channel).
   */
  async claimFallback(key: NoticeKey, channel: NotifyChannel, claimant: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: deliveryKey(key),
          UpdateExpression: 'SET #claim = :me',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#claim) OR #claim = :me)',
          ExpressionAttributeNames: { '#claim': `${channel}Claim` },
          ExpressionAttributeValues: { ':me': claimant },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Customers nobody could reach about a subject (the latest reason wins). */
  async recordUnreached(list: readonly Unreached[]): Promise<void> {
    await batchWrite(
      this.client,
      this.table,
      list.map((u) => ({
        PutRequest: {
          Item: {
            ...unreachedKey(u.subjectKey, u.customerId),
            kind: 'unreached',
            gsi1pk: subjectShard(u.subjectKey, u.customerId),
            gsi1sk: `unreached#${u.customerId}`,
            customerId: u.customerId,
            subjectKey: u.subjectKey,
            reason: u.reason,
            noticeId: u.noticeId,
            noticeKind: u.kind,
            at: u.at,
          },
        },
      })),
    );
  }

  /** A notice about the subject reached the customer: they are off the list. */
  async clearUnreached(subjectKey: string, customerId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: unreachedKey(subjectKey, customerId) }));
  }

  /** The subject's delivery counters by channel (the shards summed). */
  async countsOf(subjectKey: string): Promise<ChannelCounts> {
    const counts = Object.fromEntries(NOTIFY_CHANNELS.map((c) => [c, emptyCounts()])) as ChannelCounts;
    await runBounded(
      Array.from({ length: SUBJECT_SHARDS }, (_, shard) => shard),
      SUBJECT_SHARDS,
      async (shard) => {
        const out = await this.client.send(new GetCommand({ TableName: this.table, Key: counterKey(subjectKey, shard) }));
        for (const [name, value] of Object.entries(out.Item ?? {})) {
          const [channel, count] = name.split('_');
          if (isChannel(channel) && (COUNT_NAMES as readonly string[]).includes(count)) counts[channel][count as keyof DeliveryCounts] += Number(value);
        }
      },
    );
    return counts;
  }

  /** Every notice a customer was sent, with its delivery state (newest subject keys last). */
  async ofCustomer(customerId: string): Promise<DeliveryRecord[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': `customer#${customerId}`, ':sk': 'delivery#' },
    });
    return items.map(recordOf);
  }

  /**
   * A page of the customers nobody could reach about a subject, in customer id order: each index shard
   * is asked for the next `limit` after the cursor, the answers merged (reads at most 16 × limit items).
   */
  async unreachedOf(subjectKey: string, page: { limit: number; after?: string }): Promise<{ customers: Unreached[]; last?: string }> {
    const found: Unreached[] = [];
    await runBounded(
      Array.from({ length: SUBJECT_SHARDS }, (_, shard) => shard),
      SUBJECT_SHARDS,
      async (shard) => {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'bySubject',
            KeyConditionExpression: page.after ? 'gsi1pk = :pk AND gsi1sk > :after' : 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
            ...(page.after ? { FilterExpression: 'begins_with(gsi1sk, :prefix)' } : {}),
            ExpressionAttributeValues: {
              ':pk': `${subjectKey}#${shard}`,
              ':prefix': 'unreached#',
              ...(page.after ? { ':after': `unreached#${page.after}` } : {}),
            },
            Limit: page.limit,
          }),
        );
        for (const item of out.Items ?? []) {
          const { customerId, reason, noticeId: id, noticeKind, at } = item as Record<string, unknown>;
          found.push({ customerId: String(customerId), subjectKey, reason: String(reason), noticeId: String(id), kind: String(noticeKind), at: Number(at) });
        }
      },
    );
    const customers = found.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0)).slice(0, page.limit);
    return { customers, ...(customers.length === page.limit ? { last: customers[customers.length - 1].customerId } : {}) };
  }
}
