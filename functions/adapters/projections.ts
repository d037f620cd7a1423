/**
 * Projections derived from the event store: the current state of each subject with its impact
 * summary, the current impact per (customer, subject) for support lookups, and rejected events.
 * Writes check the subject's event version so an older fold never overwrites a newer one.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AssessedCustomer, AssessedTouchpoint, Assessment, Effect, NodeId, NotifyChannel, SubjectState } from '../domain/model.ts';
import type { HeldNotices } from '../domain/notices/approval.ts';
import type { ShardCounts, StoredImpact } from '../domain/notices/shard-plan.ts';
import { shardOf } from '../domain/shards.ts';
import type { Topology } from '../domain/impact/propagate.ts';
import { touchpointTeamsOf, type Range } from '../domain/support.ts';
import type { SubjectFacts } from '../domain/metrics.ts';
import { CHANGE_INDEX_MARKER, CHANGE_INDEX_PARTITIONS, changeIndexKey, type ChangeFilterFields } from './change-index.ts';
import { batchGet, batchWrite, type WriteRequest } from './dynamodb/batch.ts';
import { COUNTER_SHARDS, SUBJECT_SHARDS, VIEW_SHARDS } from './dynamodb/layout.ts';
import { queryAll } from './dynamodb/query.ts';
import { runBounded } from './dynamodb/retry.ts';
import { transactOptimistic, type TransactItem } from './dynamodb/transact.ts';
import { countTokenKey, ledgerItem, newCountToken, queryBySubject, subjectShard, type LedgerEntry, type MarkedEntry } from './ledger.ts';
import { METRICS_INDEX_MARKER, MetricsFacts, type MetricsFactsOf } from './metrics-facts.ts';
import { INCIDENT_INDEX_MARKER, isOpenIncident, OPEN_INCIDENTS_PK, openIncidentKey } from './open-incidents.ts';
import { storedImpactOf } from './shard-store.ts';
import { queryWindowIndex } from './window-index.ts';

export interface SubjectProjection {
  subjectKey: string;
  /** Version of the last event folded into this state (stream order guard). */
  eventVersion: number;
  state: SubjectState;
  summary: Assessment['summary'];
  touchpoints: Assessment['touchpoints'];
  unknownNodes: string[];
  graphVersion: number;
  updatedAt: number;
  /** Affected customers per `<effect>|<segment>` (the console's filtered pages read only those partitions). */
  byEffectSegment?: Record<string, number>;
  /** The event version whose assessment is still running: the summary is of the one before. */
  assessing?: number;
  /** The team owning each hit touchpoint, as the graph assessed said (the changes index's team filter). */
  touchpointTeams?: Record<string, string>;
}

/** One assessment of an event, run in customer shards: what every shard needs, and the fan-in of their counts. */
export interface AssessmentRun {
  subjectKey: string;
  eventVersion: number;
  state: SubjectState;
  /** When the event occurred (planning's `at`). */
  at: number;
  mode: 'send' | 'hold' | 'silent' | 'replay';
  touchpoints: AssessedTouchpoint[];
  channelEffects: Partial<Record<NotifyChannel, Effect>>;
  touchpointNames: Record<string, string>;
  unknownNodes: string[];
  /** Planning shards of the run (a divisor of SUBJECT_SHARDS). */
  shards: number;
  usageShards: number;
  graphVersion: number;
  /** Changes this incident folds into (their told customers are spared its notices). */
  coveringChanges: string[];
  /** Subject state or hit touchpoints differ from the projection before (the picture changed). */
  stateChanged: boolean;
  startedAt: number;
  /** Counts of the shards done so far, by shard. */
  done: Record<string, ShardCounts>;
  completedAt?: number;
}

/** Notices sent about a subject, from its counters. */
export interface NoticeCounts {
  byKind: Record<string, number>;
  byChannel: Record<string, number>;
  /** When the first notice went out (epoch ms), once one has. */
  firstSentAt?: number;
}

/** A bounded, sorted page of a subject's affected customers. */
export interface ImpactPage {
  customers: StoredImpact[];
  /** The last customer id of the page when more follow. */
  after?: string;
}

export interface CustomerImpact {
  customerId: string;
  subjectKey: string;
  effect: AssessedCustomer['effect'];
  touchpoints: string[];
  notify: string[];
  /** Subject window and status, so that support needs no second read. */
  window: SubjectState['window'];
  status: SubjectState['status'];
  title?: string;
  /** Profile for notices sent later (reminders, updates): never contact details. */
  locale?: string;
  timeZone?: string;
  segment?: string;
  quietHours?: { start: string; end: string };
}

/** A subject as an index holds it: its list fields and the effect on each touchpoint it hits. */
export type IndexedSubject = SubjectSummary & { effects: Record<NodeId, Effect> };

/** A change as the changes index holds it: its list fields, the touchpoints' effects and what the filters need. */
export type IndexedChange = IndexedSubject & ChangeFilterFields;

export interface SubjectSummary {
  subjectKey: string;
  type: SubjectState['type'];
  id: string;
  title?: string;
  status: SubjectState['status'];
  opened: boolean;
  start: number;
  end?: number;
  severity?: string;
  /** When the service is expected back (epoch ms), when known. */
  expectedResolutionAt?: number;
  customers: number;
  touchpoints: number;
  eventVersion: number;
}

/** Subjects an instance remembers having their first notice recorded (a bound for long-lived processes). */
const FIRST_NOTICE_MEMORY = 10_000;
const REJECTION_TTL_SECONDS = 90 * 24 * 3600;
/** An assessment run's fan-in item outlives every retry of its shards (SQS keeps messages 14 days). */
const RUN_TTL_SECONDS = 15 * 24 * 3600;
const padded = (n: number) => String(n).padStart(10, '0');
const runKey = (subjectKey: string, eventVersion: number) => ({ pk: `subject#${subjectKey}`, sk: `assessment#${padded(eventVersion)}` });
const counterKey = (subjectKey: string, n: number) => ({ pk: `counts#${subjectKey}#${n}`, sk: 'counts' });
/** The byEffectSegment partition of a customer's impact. */
export const viewPartition = (subjectKey: string, effect: string, segment: string | undefined, customerId: string) =>
  `${subjectKey}#${effect}#${segment ?? 'unknown'}#${shardOf(customerId, VIEW_SHARDS)}`;
/** The partition of held plans: one item per held subject, sort key the subject key. */
const HELD_PK = 'held';

export class Projections {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly metrics: MetricsFacts;
  /** Indexes known to be built, by marker (they stay built: checked once per instance). */
  private readonly indexesBuilt = new Set<string>();
  /** Subjects whose first notice this instance sent or saw recorded (no read of the facts' anchor again). */
  private readonly firstNoticeKnown = new Set<string>();

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
    this.metrics = new MetricsFacts(client, table);
  }

  /**
   * Stores the projection unless a newer event version is already stored; returns whether it was written.
   * The state, its list item and its index items are one transaction, conditional on the state's version
   * as read just before: a change's item in the changes index (with the delete of the item of the window
   * it had, so a moved window leaves nothing behind), an incident's open item (deleted as it resolves, so
   * an older version never brings it back). A lost race reads again.
   */
  async putSubject(p: SubjectProjection): Promise<boolean> {
    const key = stateKey(p.subjectKey);
    return transactOptimistic(this.client, async () => {
      const { Item: stored } = await this.client.send(
        new GetCommand({
          TableName: this.table,
          Key: key,
          ConsistentRead: true,
          ProjectionExpression: 'eventVersion, #s',
          ExpressionAttributeNames: { '#s': 'state' },
        }),
      );
      if (stored && Number(stored.eventVersion) > p.eventVersion) return undefined;
      const before = stored ? (JSON.parse(String(stored.state)) as SubjectState) : undefined;
      return [
        {
          Put: {
            TableName: this.table,
            Item: stateItem(p),
            ...(stored
              ? { ConditionExpression: 'eventVersion = :seen', ExpressionAttributeValues: { ':seen': stored.eventVersion } }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        },
        { Put: { TableName: this.table, Item: listItem(p) } },
        ...this.indexWrites(p, before),
      ];
    });
  }

  /** The index items that follow a subject's new state (before: the state stored until now). */
  private indexWrites(p: SubjectProjection, before: SubjectState | undefined): TransactItem[] {
    if (p.state.type === 'change') {
      const indexed = changeIndexKey(p.subjectKey, p.state.window);
      const was = before ? changeIndexKey(p.subjectKey, before.window) : undefined;
      return [
        { Put: { TableName: this.table, Item: changeIndexItem(p, p.touchpointTeams ?? {}) } },
        ...(was && (was.pk !== indexed.pk || was.sk !== indexed.sk) ? [{ Delete: { TableName: this.table, Key: was } }] : []),
      ];
    }
    if (isOpenIncident(p.state)) return [{ Put: { TableName: this.table, Item: openIncidentItem(p) } }];
    return before && isOpenIncident(before) ? [{ Delete: { TableName: this.table, Key: openIncidentKey(p.subjectKey) } }] : [];
  }

  async getSubject(subjectKey: string): Promise<SubjectProjection | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: stateKey(subjectKey), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, kind: _kind, ...rest } = out.Item;
    return { ...(rest as Omit<SubjectProjection, 'state'>), state: JSON.parse(String(out.Item.state)) as SubjectState };
  }

  /**
   * Starts an assessment run (idempotent: a stream record retried finds its run as it was, shards done
   * included). Returns the stored run.
   */
  async startRun(run: Omit<AssessmentRun, 'done'>): Promise<AssessmentRun> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...runKey(run.subjectKey, run.eventVersion),
            kind: 'assessment',
            ...run,
            state: JSON.stringify(run.state),
            done: {},
            expiresAt: Math.floor(run.startedAt / 1000) + RUN_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { ...run, done: {} };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.getRun(run.subjectKey, run.eventVersion))!;
    }
  }

  async getRun(subjectKey: string, eventVersion: number): Promise<AssessmentRun | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: runKey(subjectKey, eventVersion), ConsistentRead: true }));
    return out.Item ? runOf(out.Item) : undefined;
  }

  /**
   * Records a shard as done with its counts (once: a retried shard does not count twice) and returns
   * the run as it is now, so that the caller can tell whether every shard is done.
   */
  async finishShard(subjectKey: string, eventVersion: number, shard: number, counts: ShardCounts): Promise<AssessmentRun> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(subjectKey, eventVersion),
          UpdateExpression: 'SET done.#s = :c',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(done.#s)',
          ExpressionAttributeNames: { '#s': String(shard) },
          ExpressionAttributeValues: { ':c': JSON.stringify(counts) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return runOf(out.Attributes!);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const run = await this.getRun(subjectKey, eventVersion);
      if (!run)
        throw new Error(
          `assessment run ${subjectKey} v${eventVersion} is gone (expired?); the shard job is older than the run's ${RUN_TTL_SECONDS / 86_400} days`,
          { cause: error },
        );
      return run;
    }
  }

  /** Marks a run complete; true for the one caller that does (the fan-in acts once). */
  async completeRun(subjectKey: string, eventVersion: number, at: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: runKey(subjectKey, eventVersion),
          UpdateExpression: 'SET completedAt = :t',
          ConditionExpression: 'attribute_not_exists(completedAt)',
          ExpressionAttributeValues: { ':t': at },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Writes one batch of a shard's impacts (new or changed) and removes those no longer affected. Each
   * impact is indexed twice: bySubject (the shard's merge-join, sorted by customer) and byEffectSegment
   * (the console's filtered pages). Subject-wide fields (window, status, title) are not copied into
   * every customer's item: a status change then rewrites nothing per customer.
   */
  async writeImpacts(subjectKey: string, write: readonly StoredImpact[], remove: readonly string[], concurrency = 4): Promise<void> {
    const requests: WriteRequest[] = write.map((c) => ({
      PutRequest: {
        Item: {
          pk: `customer#${c.customerId}`,
          sk: `impact#${subjectKey}`,
          kind: 'impact',
          gsi1pk: subjectShard(subjectKey, c.customerId),
          gsi1sk: `impact#${c.customerId}`,
          gsi2pk: viewPartition(subjectKey, c.effect, c.segment, c.customerId),
          gsi2sk: c.customerId,
          subjectKey,
          ...c,
        },
      },
    }));
    for (const id of remove) requests.push({ DeleteRequest: { Key: { pk: `customer#${id}`, sk: `impact#${subjectKey}` } } });
    await batchWrite(this.client, this.table, requests, { concurrency });
  }

  /**
   * A page of a subject's affected customers in id order, after `after`, from the byEffectSegment
   * partitions of the (effect, segment) pairs asked for. The partitions are merged with a bounded
   * look-ahead: each is read `ceil(limit / partitions) + 1` items at a time, so a page reads at most
   * its own customers plus that many per partition, whatever the subject's size.
   */
  async impactPage(
    subjectKey: string,
    pairs: readonly { effect: string; segment: string }[],
    limit: number,
    after?: string,
  ): Promise<ImpactPage & { read: number }> {
    const pks = pairs.flatMap(({ effect, segment }) => Array.from({ length: VIEW_SHARDS }, (_, v) => `${subjectKey}#${effect}#${segment}#${v}`));
    const step = Math.ceil(limit / Math.max(1, pks.length)) + 1;
    let read = 0;
    const partitions = pks.map((pk) => ({ pk, buffer: [] as Record<string, unknown>[], start: undefined as Record<string, unknown> | undefined, done: false }));
    const fill = async (p: (typeof partitions)[number]) => {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byEffectSegment',
          KeyConditionExpression: after === undefined ? 'gsi2pk = :pk' : 'gsi2pk = :pk AND gsi2sk > :after',
          ExpressionAttributeValues: { ':pk': p.pk, ...(after === undefined ? {} : { ':after': after }) },
          Limit: step,
          ...(p.start ? { ExclusiveStartKey: p.start } : {}),
        }),
      );
      read += out.Items?.length ?? 0;
      p.buffer.push(...((out.Items ?? []) as Record<string, unknown>[]));
      p.start = out.LastEvaluatedKey;
      p.done = !out.LastEvaluatedKey;
    };
    await Promise.all(partitions.map(fill));
    const page: StoredImpact[] = [];
    for (;;) {
      if (page.length === limit) {
        // A partition that gave a full read may hold nothing more: look once, so the last page has no cursor.
        if (!partitions.some((p) => p.buffer.length > 0)) await Promise.all(partitions.filter((p) => !p.done).map(fill));
        const more = partitions.some((p) => p.buffer.length > 0);
        return { customers: page, ...(more ? { after: page[page.length - 1].customerId } : {}), read };
      }
      // Refill, all at once, every partition whose buffer ran dry while it has more: it may hold the next id.
      const dry = partitions.filter((p) => p.buffer.length === 0 && !p.done);
      if (dry.length > 0) await Promise.all(dry.map(fill));
      let next: (typeof partitions)[number] | undefined;
      for (const p of partitions) if (p.buffer.length > 0 && (!next || String(p.buffer[0].gsi2sk) < String(next.buffer[0].gsi2sk))) next = p;
      if (!next) return { customers: page, read };
      page.push(storedImpactOf(next.buffer.shift()!));
    }
  }

  /** The update that counts notices (an item per COUNTER_SHARDS, picked by the first customer: no hot item). */
  private countUpdate(subjectKey: string, sent: readonly { customerId: string; kind: string; channel: string }[], at: number) {
    const adds = new Map<string, number>();
    for (const s of sent) {
      adds.set(`k_${s.kind}`, (adds.get(`k_${s.kind}`) ?? 0) + 1);
      adds.set(`c_${s.channel}`, (adds.get(`c_${s.channel}`) ?? 0) + 1);
    }
    const names = Object.fromEntries([...adds.keys()].map((k, i) => [`#a${i}`, k]));
    const values = Object.fromEntries([...adds.values()].map((v, i) => [`:a${i}`, v]));
    return {
      TableName: this.table,
      Key: counterKey(subjectKey, shardOf(sent[0].customerId, COUNTER_SHARDS)),
      UpdateExpression: `SET firstSentAt = if_not_exists(firstSentAt, :t) ADD ${Object.keys(names)
        .map((n, i) => `${n} :a${i}`)
        .join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ...values, ':t': at },
    };
  }

  /**
   * The items that record a subject's first notice on its metrics facts, the first time this instance
   * sends one about it (later batches are never earlier); none once it knows an earlier one is recorded.
   */
  private async firstNoticeItems(subjectKey: string, at: number): Promise<TransactItem[]> {
    if (this.firstNoticeKnown.has(subjectKey)) return [];
    return this.metrics.firstNoticeItems(subjectKey, at);
  }

  private firstNoticeRecorded(subjectKey: string): void {
    // A long-lived process (the local runtime) forgets now and then: it only costs one read per subject again.
    if (this.firstNoticeKnown.size >= FIRST_NOTICE_MEMORY) this.firstNoticeKnown.clear();
    this.firstNoticeKnown.add(subjectKey);
  }

  /**
   * Marks notices sent in the ledger (one BatchWriteItem per 25) under a count token (ledger.ts
   * newCountToken); countMarked counts them later, once. A stop between the two leaves marks the token's
   * item does not list: whoever resumes the claims counts them then (settleCounts), so the counters never
   * miss or double a notice the ledger has as sent. Without `sentAt`, each entry is marked at its own.
   */
  async markSent(entries: readonly LedgerEntry[], countToken: string, sentAt?: number): Promise<void> {
    await batchWrite(
      this.client,
      this.table,
      entries.map((e) => ({ PutRequest: { Item: ledgerItem({ ...e, sentAt: sentAt ?? e.sentAt }, countToken) } })),
    );
  }

  /**
   * Counts the notices marked under `countToken`, once: in one transaction with the token's item (which
   * lists the customers counted under it) and the subject's first notice on its metrics facts the first time.
   * Returns how many this call counted (0: someone counted them under the token before).
   */
  async countMarked(subjectKey: string, entries: readonly LedgerEntry[], countToken: string, at?: number): Promise<number> {
    if (entries.length === 0) return 0;
    return this.countOnce(subjectKey, entries, countToken, at ?? Math.min(...entries.map((e) => e.sentAt)));
  }

  /** Marks notices sent and counts them (markSent, then countMarked under a new token). */
  async markSentCounted(subjectKey: string, entries: readonly LedgerEntry[], sentAt?: number): Promise<void> {
    if (entries.length === 0) return;
    const countToken = newCountToken(entries[0].customerId);
    await this.markSent(entries, countToken, sentAt);
    await this.countMarked(subjectKey, entries, countToken, sentAt);
  }

  /**
   * Counts marks whose count a stop may have lost: those under a count token whose item does not list
   * them yet (one BatchGetItem per 100 tokens, then a counting transaction per token with some missing).
   * Returns how many notices were counted now.
   */
  async settleCounts(marked: readonly MarkedEntry[]): Promise<number> {
    const byToken = new Map<string, { subjectKey: string; countToken: string; entries: LedgerEntry[] }>();
    for (const { entry, countToken } of marked) {
      const id = `${entry.subjectKey}\n${countToken}`;
      const run = byToken.get(id) ?? { subjectKey: entry.subjectKey, countToken, entries: [] };
      run.entries.push(entry);
      byToken.set(id, run);
    }
    const runs = [...byToken.values()];
    const items = await batchGet<Record<string, unknown>>(
      this.client,
      this.table,
      runs.map((r) => countTokenKey(r.subjectKey, r.countToken)),
      { projection: 'pk, sk, ids, rev' },
    );
    const tokenItems = new Map(items.map((i) => [`${i.pk}\n${i.sk}`, i]));
    let n = 0;
    for (const run of runs) {
      const key = countTokenKey(run.subjectKey, run.countToken);
      const item = tokenItems.get(`${key.pk}\n${key.sk}`);
      const listed = item?.ids as Set<string> | undefined;
      if (listed && run.entries.every((e) => listed.has(e.customerId))) continue;
      n += await this.countOnce(run.subjectKey, run.entries, run.countToken, Math.min(...run.entries.map((e) => e.sentAt)), item);
    }
    return n;
  }

  /**
   * Counts the marks of a run under its token, those the token's item does not list yet, and adds them to
   * it in the same transaction: conditional on the item's revision as read (or on its absence), so of two
   * that count the same marks at once (a worker and the one that resumed its claims) one wins and the
   * other reads again and finds them listed. The first attempt goes on the item as the caller saw it
   * (none: a run counting its own new token). Returns how many notices this call counted.
   */
  private async countOnce(
    subjectKey: string,
    entries: readonly LedgerEntry[],
    countToken: string,
    at: number,
    seen?: Record<string, unknown>,
  ): Promise<number> {
    const key = countTokenKey(subjectKey, countToken);
    let attempt = 0;
    let counting: LedgerEntry[] = [];
    const written = await transactOptimistic(this.client, async () => {
      const item = attempt++ === 0 ? seen : (await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
      const listed = (item?.ids as Set<string> | undefined) ?? new Set<string>();
      counting = entries.filter((e) => !listed.has(e.customerId));
      if (counting.length === 0) return undefined;
      return [
        {
          Update: {
            TableName: this.table,
            Key: key,
            UpdateExpression: 'ADD ids :ids, rev :one SET kind = :kind, subjectKey = :subject',
            ConditionExpression: item ? 'rev = :rev' : 'attribute_not_exists(pk)',
            ExpressionAttributeValues: {
              ':ids': new Set(counting.map((e) => e.customerId)),
              ':one': 1,
              ':kind': 'count-token',
              ':subject': subjectKey,
              ...(item ? { ':rev': item.rev } : {}),
            },
          },
        },
        { Update: this.countUpdate(subjectKey, counting, at) },
        ...(await this.firstNoticeItems(subjectKey, at)),
      ];
    });
    if (!written) return 0;
    this.firstNoticeRecorded(subjectKey);
    return counting.length;
  }

  /** Whether the ledger records any notice about the subject (one item read per index shard at most). */
  async anyNoticeSent(subjectKey: string): Promise<boolean> {
    const found = await Promise.all(
      Array.from({ length: SUBJECT_SHARDS }, async (_, shard) => {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'bySubject',
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)',
            ExpressionAttributeValues: { ':pk': `${subjectKey}#${shard}`, ':sk': 'ledger#' },
            Limit: 1,
          }),
        );
        return (out.Items?.length ?? 0) > 0;
      }),
    );
    return found.includes(true);
  }

  /** Notices sent about a subject by kind and channel: COUNTER_SHARDS small items, whatever the fan-out. */
  async noticeCounts(subjectKey: string): Promise<NoticeCounts> {
    const items = await batchGet<Record<string, unknown>>(
      this.client,
      this.table,
      Array.from({ length: COUNTER_SHARDS }, (_, n) => counterKey(subjectKey, n)),
    );
    const counts: NoticeCounts = { byKind: {}, byChannel: {} };
    for (const item of items) {
      for (const [name, value] of Object.entries(item)) {
        if (name.startsWith('k_')) counts.byKind[name.slice(2)] = (counts.byKind[name.slice(2)] ?? 0) + Number(value);
        if (name.startsWith('c_')) counts.byChannel[name.slice(2)] = (counts.byChannel[name.slice(2)] ?? 0) + Number(value);
      }
      if (typeof item.firstSentAt === 'number' && (counts.firstSentAt === undefined || item.firstSentAt < counts.firstSentAt))
        counts.firstSentAt = item.firstSentAt;
    }
    return counts;
  }

  /**
   * The facts the metrics fold needs of a subject (kept by the assessment's fan-in), under its window
   * (adapters/metrics-facts.ts): a newer version moves them, an older one writes nothing.
   */
  async putMetricsFacts(facts: MetricsFactsOf): Promise<boolean> {
    return this.metrics.put(facts);
  }

  /**
   * The metrics facts of every subject whose window may overlap the range, first notice included; the
   * fold keeps what overlaps. Call ensureMetricsIndex first on a store that may predate the index.
   */
  async metricsFactsIn(range: Range): Promise<SubjectFacts[]> {
    return this.metrics.inRange(range);
  }

  /** Builds the metrics facts' index once on a store written before it (first notices from the counters). */
  async ensureMetricsIndex(): Promise<void> {
    await this.ensureIndex(METRICS_INDEX_MARKER, () => this.metrics.build(async (subjectKey) => (await this.noticeCounts(subjectKey)).firstSentAt));
  }

  /** Every subject (changes and incidents) with status, window and counts, for the support overview. */
  async listSubjects(): Promise<SubjectSummary[]> {
    return this.subjectsList();
  }

  /** Every incident of the history, open or resolved (the `subjects` partition's incidents: no change read). */
  async incidents(): Promise<SubjectSummary[]> {
    return this.subjectsList('incident#');
  }

  private async subjectsList(prefix?: string): Promise<SubjectSummary[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: prefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'subjects', ...(prefix === undefined ? {} : { ':prefix': prefix }) },
    });
    return items.map(({ pk: _pk, sk, kind: _kind, ...rest }) => ({ subjectKey: String(sk), ...rest }) as SubjectSummary);
  }

  /**
   * The incidents not resolved yet, from their index (adapters/open-incidents.ts), with the effect on
   * each touchpoint they hit. Call ensureIncidentIndex first on a store that may predate the index.
   */
  async openIncidents(): Promise<IndexedSubject[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': OPEN_INCIDENTS_PK },
    });
    return items.map(({ pk: _pk, sk: _sk, kind: _kind, ...rest }) => rest as unknown as IndexedSubject);
  }

  /**
   * The changes whose window may overlap the range, from the changes index (adapters/change-index.ts),
   * with what the touchpoint and team filters need; the caller keeps those that overlap. Call
   * ensureChangeIndex first on a store that may predate the index.
   */
  async changesIn(range: Range): Promise<IndexedChange[]> {
    const items = await queryWindowIndex(this.client, this.table, CHANGE_INDEX_PARTITIONS, range);
    return items.map(({ pk: _pk, sk: _sk, kind: _kind, ...rest }) => rest as unknown as IndexedChange);
  }

  /**
   * Builds the changes index once on a store projected before it (no marker item): an item for each
   * change in the `subjects` partition, from its state, unless a newer version is stored by then (its
   * own write indexed it). `graph` gives the touchpoints' teams for states that predate them.
   */
  async ensureChangeIndex(graph: () => Promise<Pick<Topology, 'touchpoints'>>): Promise<void> {
    await this.ensureIndex(CHANGE_INDEX_MARKER, async () => {
      const topology = await graph();
      const changes = (await this.listSubjects()).filter((s) => s.type === 'change');
      await this.indexEach(changes, (p) => changeIndexItem(p, p.touchpointTeams ?? touchpointTeamsOf(p.touchpoints, topology)));
      return changes.length;
    });
  }

  /**
   * Builds the open incidents' index once on a store projected before it (no marker item): an item for
   * each open incident of the `subjects` partition, from its state, unless a newer version is stored by
   * then (its own write kept the index right).
   */
  async ensureIncidentIndex(): Promise<void> {
    await this.ensureIndex(INCIDENT_INDEX_MARKER, async () => {
      const open = (await this.incidents()).filter(isOpenIncident);
      await this.indexEach(open, (p) => (isOpenIncident(p.state) ? openIncidentItem(p) : undefined));
      return open.length;
    });
  }

  /** Runs an index's one-time build unless its marker says it is built (checked once per instance). */
  private async ensureIndex(marker: { pk: string; sk: string }, build: () => Promise<number>): Promise<void> {
    const name = `${marker.pk}/${marker.sk}`;
    if (this.indexesBuilt.has(name)) return;
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: marker, ConsistentRead: true }));
    if (!Item) {
      const subjects = await build();
      await this.client.send(new PutCommand({ TableName: this.table, Item: { ...marker, kind: 'marker', subjects } }));
    }
    this.indexesBuilt.add(name);
  }

  /**
   * Writes each subject's index item from its stored state, conditional on the version read: a subject
   * written meanwhile was indexed by its own write, and its item is left as that write made it.
   */
  private async indexEach(subjects: readonly SubjectSummary[], itemOf: (p: SubjectProjection) => Record<string, unknown> | undefined): Promise<void> {
    await runBounded(subjects, 8, async ({ subjectKey }) => {
      const p = await this.getSubject(subjectKey);
      const item = p && itemOf(p);
      if (!p || !item) return;
      await this.client
        .send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: this.table,
                  Key: stateKey(subjectKey),
                  ConditionExpression: 'eventVersion = :v',
                  ExpressionAttributeValues: { ':v': p.eventVersion },
                },
              },
              { Put: { TableName: this.table, Item: item } },
            ],
          }),
        )
        .catch((error) => {
          if (!(error instanceof TransactionCanceledException)) throw error;
        });
    });
  }

  /** "What affects C-1042?": every subject with a current impact on the customer. */
  async impactsOfCustomer(customerId: string): Promise<CustomerImpact[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': `customer#${customerId}`, ':sk': 'impact#' },
    });
    return items.map(stripKeys) as unknown as CustomerImpact[];
  }

  /** The customers a subject currently affects, across its index shards. */
  async customersOfSubject(subjectKey: string): Promise<CustomerImpact[]> {
    return (await queryBySubject(this.client, this.table, subjectKey, 'impact#')).map(stripKeys) as unknown as CustomerImpact[];
  }

  /** The stored impacts of a few of a subject's customers (one BatchGet item each; those not affected are left out). */
  async impactsOf(subjectKey: string, customerIds: readonly string[]): Promise<StoredImpact[]> {
    const keys = [...new Set(customerIds)].map((id) => ({ pk: `customer#${id}`, sk: `impact#${subjectKey}` }));
    return (await batchGet(this.client, this.table, keys)).map(storedImpactOf);
  }

  /**
   * The plan of a held (draft) subject, as counts and at most MAX_HELD_GROUPS preview groups (one small
   * item per subject in one partition, so the console lists drafts with one query); replaced on every
   * assessment while held.
   */
  async putHeld(held: HeldNotices): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.table, Item: { pk: HELD_PK, sk: held.subjectKey, kind: 'held', ...held } }));
  }

  async getHeld(subjectKey: string): Promise<HeldNotices | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: HELD_PK, sk: subjectKey }, ConsistentRead: true }));
    return out.Item ? (stripKeys(out.Item) as unknown as HeldNotices) : undefined;
  }

  /** Every held subject's plan (drafts waiting for approval). */
  async listHeld(): Promise<HeldNotices[]> {
    const items = await queryAll(this.client, { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': HELD_PK } });
    return items.map((i) => stripKeys(i) as unknown as HeldNotices);
  }

  /** The subject is no longer held (approved, or the policy releases it). */
  async clearHeld(subjectKey: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: HELD_PK, sk: subjectKey } }));
  }

  /** A refused event, kept 90 days with its reasons (never its contact data: events carry none). */
  async recordRejection(r: {
    eventId?: string;
    detailType?: string;
    source?: string;
    code?: string;
    unknownNames?: { kind: string; value: string }[];
    reasons: string[];
    receivedAt: number;
    raw: string;
  }): Promise<void> {
    const day = new Date(r.receivedAt).toISOString().slice(0, 10);
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `rejected#${day}`,
          sk: `${r.receivedAt}#${r.eventId ?? 'unknown'}`,
          kind: 'rejection',
          ...r,
          raw: r.raw.slice(0, 16_000),
          expiresAt: Math.floor(r.receivedAt / 1000) + REJECTION_TTL_SECONDS,
        },
      }),
    );
  }

  async rejectionsOn(day: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.client, { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `rejected#${day}` } });
  }
}

const stripKeys = (item: Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, gsi2pk: _g3, gsi2sk: _g4, kind: _kind, ...rest } = item;
  return rest;
};

const stateKey = (subjectKey: string) => ({ pk: `subject#${subjectKey}`, sk: 'state' });
const stateItem = (p: SubjectProjection) => ({ ...stateKey(p.subjectKey), kind: 'subject', ...stripUndefined(p), state: JSON.stringify(p.state) });

/** The fields every list of subjects shows (SubjectSummary). */
const listFields = (p: SubjectProjection) => ({
  subjectKey: p.subjectKey,
  type: p.state.type,
  id: p.state.id,
  title: p.state.title,
  status: p.state.status,
  opened: p.state.opened,
  start: p.state.window.start,
  end: p.state.window.end,
  severity: p.state.severity,
  expectedResolutionAt: p.state.expectedResolutionAt,
  customers: p.summary.customers,
  touchpoints: p.summary.touchpoints,
  eventVersion: p.eventVersion,
});

/** The item of the list of subjects support sees (one small item per subject in one partition). */
const listItem = (p: SubjectProjection) => ({ pk: 'subjects', sk: p.subjectKey, kind: 'subject-index', ...listFields(p) });

/** What an index item holds for GET /touchpoints: the list's fields and the effect on each hit touchpoint. */
const indexedFields = (p: SubjectProjection) => ({ ...listFields(p), effects: Object.fromEntries(p.touchpoints.map((t) => [t.id, t.effect])) });

/** An open incident's item (adapters/open-incidents.ts). */
const openIncidentItem = (p: SubjectProjection) => ({ ...openIncidentKey(p.subjectKey), kind: 'open-incident', ...indexedFields(p) });

/** A change's item in the changes index: the list's fields and what the touchpoint and team filters need. */
const changeIndexItem = (p: SubjectProjection, teams: Record<string, string>) => {
  const filters: ChangeFilterFields = {
    team: p.state.team,
    hit: p.touchpoints.map((t) => t.id),
    touchpointTeams: [...new Set(p.touchpoints.flatMap((t) => teams[t.id] ?? []))].sort(),
  };
  return { ...changeIndexKey(p.subjectKey, p.state.window), kind: 'change-index', ...indexedFields(p), ...filters };
};

const stripUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const runOf = (item: Record<string, unknown>): AssessmentRun => {
  const { pk: _pk, sk: _sk, kind: _kind, expiresAt: _e, state, done, ...rest } = item;
  return {
    ...(rest as Omit<AssessmentRun, 'state' | 'done'>),
    state: JSON.parse(String(state)) as SubjectState,
    done: Object.fromEntries(Object.entries((done ?? {}) as Record<string, string>).map(([k, v]) => [k, JSON.parse(v) as ShardCounts])),
  };
};
