/**
 * Metrics facts: GET /metrics reads the facts of the subjects its range overlaps, not the whole history
 * (issue 12, section 3). A fact is what the metrics fold needs of a subject (domain/metrics.ts
 * SubjectFacts): its state, customers, hit touchpoints and when its first customer notice went out.
 *
 * Mechanism: each fact is one item of a window index (window-index.ts) in partitions of its own,
 * `metrics#byStart` and `metrics#long`, so a range is two queries. Each subject also has an anchor, a
 * small item under a fixed key (`metrics#anchor#<key>` / `anchor`), that says where its fact is (the fact's key
 * follows its window), which event version it holds and when the first notice went out. Every write of a
 * fact or of a first notice reads the anchor and writes it in the same transaction, conditional on the
 * anchor's revision as read: a moved window deletes the fact of the window it had, an older version never
 * replaces a newer, and the first notice is kept on both the anchor and the fact, so the reader reads the
 * facts of its range and nothing per subject.
 *
 * Limits: a range reads, beyond the subjects that overlap it, what window-index.ts says. A store written
 * before the index has its facts in one `metrics` partition and no anchors: a marker item says the index
 * was built, and until it exists the first reader builds it once (every old fact and its counters, then
 * the old item is deleted).
 */
import { DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SubjectFacts } from '../domain/metrics.ts';
import type { SubjectState } from '../domain/model.ts';
import type { Range } from '../domain/support.ts';
import { queryAll } from './dynamodb/query.ts';
import { runBounded } from './dynamodb/retry.ts';
import { transactOptimistic, type TransactItem } from './dynamodb/transact.ts';
import { queryWindowIndex, windowIndexKey, type WindowPartitions } from './window-index.ts';

export const METRICS_PARTITIONS: WindowPartitions = { short: 'metrics#byStart', long: 'metrics#long' };
/** Present once every fact is in the index (written by the first build). */
export const METRICS_INDEX_MARKER = { pk: 'metrics#index', sk: 'built' } as const;
/** Where facts were kept before the index: one item per subject ever assessed, sk the subject key. */
export const LEGACY_METRICS_PK = 'metrics';
/** A subject's anchor, in a `metrics#` partition of its own (the api function may write those for the build). */
export const metricsAnchorKey = (subjectKey: string) => ({ pk: `metrics#anchor#${subjectKey}`, sk: 'anchor' });

/** What the assessment's fan-in knows of a subject. */
export interface MetricsFactsOf {
  subjectKey: string;
  state: SubjectState;
  customers: number;
  touchpoints: string[];
  eventVersion: number;
}

interface ItemKey {
  pk: string;
  sk: string;
}

/** A subject's anchor: where its fact is and what the fact holds. */
interface Anchor {
  /** Written on every change of the anchor: the condition of the next write. */
  rev: number;
  eventVersion?: number;
  fact?: ItemKey;
  firstNoticeAt?: number;
}

export class MetricsFacts {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  private async anchor(subjectKey: string): Promise<Anchor | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: metricsAnchorKey(subjectKey), ConsistentRead: true }));
    if (!Item) return undefined;
    return {
      rev: Number(Item.rev),
      ...(Item.eventVersion !== undefined ? { eventVersion: Number(Item.eventVersion) } : {}),
      ...(Item.factPk !== undefined ? { fact: { pk: String(Item.factPk), sk: String(Item.factSk) } } : {}),
      ...(Item.firstNoticeAt !== undefined ? { firstNoticeAt: Number(Item.firstNoticeAt) } : {}),
    };
  }

  /** The anchor's next content, conditional on the revision read (or on there being none). */
  private anchorPut(subjectKey: string, seen: Anchor | undefined, next: Omit<Anchor, 'rev'>): TransactItem {
    return {
      Put: {
        TableName: this.table,
        Item: {
          ...metricsAnchorKey(subjectKey),
          kind: 'metrics-anchor',
          rev: (seen?.rev ?? 0) + 1,
          ...(next.eventVersion !== undefined ? { eventVersion: next.eventVersion } : {}),
          ...(next.fact ? { factPk: next.fact.pk, factSk: next.fact.sk } : {}),
          ...(next.firstNoticeAt !== undefined ? { firstNoticeAt: next.firstNoticeAt } : {}),
        },
        ...(seen
          ? { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': seen.rev } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    };
  }

  /**
   * Stores a subject's facts under its window unless a newer event version is stored, with the first
   * notice already recorded; the fact of the window it had is deleted. Returns whether it was written.
   */
  async put(facts: MetricsFactsOf): Promise<boolean> {
    return transactOptimistic(this.client, async () => {
      const seen = await this.anchor(facts.subjectKey);
      if (seen?.eventVersion !== undefined && seen.eventVersion > facts.eventVersion) return undefined;
      const key = windowIndexKey(METRICS_PARTITIONS, facts.subjectKey, facts.state.window);
      const firstNoticeAt = seen?.firstNoticeAt;
      const moved = seen?.fact && (seen.fact.pk !== key.pk || seen.fact.sk !== key.sk);
      return [
        this.anchorPut(facts.subjectKey, seen, { eventVersion: facts.eventVersion, fact: key, firstNoticeAt }),
        {
          Put: {
            TableName: this.table,
            Item: { ...key, kind: 'metrics', ...facts, state: JSON.stringify(facts.state), ...(firstNoticeAt !== undefined ? { firstNoticeAt } : {}) },
          },
        },
        ...(moved && seen.fact ? [{ Delete: { TableName: this.table, Key: seen.fact } }] : []),
      ];
    });
  }

  /**
   * The transaction items that record a notice sent at `at` as the subject's first, on its anchor and its
   * fact (conditional on the anchor as read now: a lost race means read again); none when an earlier
   * one is recorded.
   */
  async firstNoticeItems(subjectKey: string, at: number): Promise<TransactItem[]> {
    const seen = await this.anchor(subjectKey);
    if (seen?.firstNoticeAt !== undefined && seen.firstNoticeAt <= at) return [];
    const { rev: _rev, ...kept } = seen ?? { rev: 0 };
    return [
      this.anchorPut(subjectKey, seen, { ...kept, firstNoticeAt: at }),
      ...(seen?.fact
        ? [
            {
              Update: {
                TableName: this.table,
                Key: seen.fact,
                UpdateExpression: 'SET firstNoticeAt = :t',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':t': at },
              },
            },
          ]
        : []),
    ];
  }

  /** Records a notice sent at `at` as the subject's first, unless an earlier one is recorded. */
  async recordFirstNotice(subjectKey: string, at: number): Promise<void> {
    await transactOptimistic(this.client, async () => {
      const items = await this.firstNoticeItems(subjectKey, at);
      return items.length > 0 ? items : undefined;
    });
  }

  /** The facts of every subject whose window may overlap the range; the fold keeps what overlaps. */
  async inRange(range: Range): Promise<SubjectFacts[]> {
    const items = await queryWindowIndex(this.client, this.table, METRICS_PARTITIONS, range);
    return items.map((i) => ({
      state: JSON.parse(String(i.state)) as SubjectState,
      customers: Number(i.customers),
      touchpoints: (i.touchpoints as string[]) ?? [],
      ...(i.firstNoticeAt !== undefined ? { firstNoticeAt: Number(i.firstNoticeAt) } : {}),
    }));
  }

  /**
   * Builds the index on a store written before it (Projections.ensureMetricsIndex runs it once, under
   * METRICS_INDEX_MARKER): each fact of the old `metrics` partition is stored under its window (unless a
   * newer version is by then) with its first notice from the subject's counters (`firstSentAt`), and the
   * old item deleted. A build cut short resumes where it stopped (what it moved is no longer in the old
   * partition). Returns how many facts it moved.
   */
  async build(firstSentAt: (subjectKey: string) => Promise<number | undefined>): Promise<number> {
    const old = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': LEGACY_METRICS_PK },
    });
    await runBounded(old, 8, async (item) => {
      const subjectKey = String(item.subjectKey);
      await this.put({
        subjectKey,
        state: JSON.parse(String(item.state)) as SubjectState,
        customers: Number(item.customers),
        touchpoints: (item.touchpoints as string[]) ?? [],
        eventVersion: Number(item.eventVersion),
      });
      const first = await firstSentAt(subjectKey);
      if (first !== undefined) await this.recordFirstNotice(subjectKey, first);
      await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: LEGACY_METRICS_PK, sk: item.sk } }));
    });
    return old.length;
  }
}
