/**
 * Projections derived from the event store: the current state of each subject with its impact
 * summary, the current impact per (customer, subject) for support lookups, and rejected events.
 * Writes check the subject's event version so an older fold never overwrites a newer one.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AssessedCustomer, Assessment, SubjectState } from '../domain/model.ts';
import type { HeldNotices } from '../domain/notices/approval.ts';
import { batchWrite, type WriteRequest } from './dynamodb/batch.ts';
import { queryAll } from './dynamodb/query.ts';
import { queryBySubject, subjectShard } from './ledger.ts';

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

const REJECTION_TTL_SECONDS = 90 * 24 * 3600;
/** The partition of held plans: one item per held subject, sort key the subject key. */
const HELD_PK = 'held';

export class Projections {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  /** Stores the projection unless a newer event version is already stored; returns whether it was written. */
  async putSubject(p: SubjectProjection): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `subject#${p.subjectKey}`, sk: 'state', kind: 'subject', ...p, state: JSON.stringify(p.state) },
          ConditionExpression: 'attribute_not_exists(pk) OR eventVersion <= :v',
          ExpressionAttributeValues: { ':v': p.eventVersion },
        }),
      );
      // The list of subjects support sees (one small item per subject in one partition).
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: 'subjects',
            sk: p.subjectKey,
            kind: 'subject-index',
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
          },
          ConditionExpression: 'attribute_not_exists(pk) OR eventVersion <= :v',
          ExpressionAttributeValues: { ':v': p.eventVersion },
        }),
      ).catch((error) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async getSubject(subjectKey: string): Promise<SubjectProjection | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: `subject#${subjectKey}`, sk: 'state' }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, kind: _kind, ...rest } = out.Item;
    return { ...(rest as Omit<SubjectProjection, 'state'>), state: JSON.parse(String(out.Item.state)) as SubjectState };
  }

  /** Replaces a subject's per-customer impacts: writes `current`, deletes customers no longer affected. */
  async replaceCustomerImpacts(subjectKey: string, current: readonly CustomerImpact[], previous: readonly string[], concurrency = 8): Promise<{ written: number; removed: number }> {
    const keep = new Set(current.map((c) => c.customerId));
    const writes: WriteRequest[] = current.map((c) => ({
      PutRequest: {
        Item: { pk: `customer#${c.customerId}`, sk: `impact#${subjectKey}`, kind: 'impact', gsi1pk: subjectShard(subjectKey, c.customerId), gsi1sk: `impact#${c.customerId}`, ...c },
      },
    }));
    const gone = previous.filter((id) => !keep.has(id));
    for (const id of gone) writes.push({ DeleteRequest: { Key: { pk: `customer#${id}`, sk: `impact#${subjectKey}` } } });
    await batchWrite(this.client, this.table, writes, { concurrency });
    return { written: current.length, removed: gone.length };
  }

  /** Every subject (changes and incidents) with status, window and counts, for the support overview. */
  async listSubjects(): Promise<SubjectSummary[]> {
    const items = await queryAll(this.client, { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'subjects' } });
    return items.map(({ pk: _pk, sk, kind: _kind, ...rest }) => ({ subjectKey: String(sk), ...rest }) as SubjectSummary);
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

  /**
   * The plan of a held (draft) subject, as counts (one small item per subject in one partition, so the
   * console lists drafts with one query); replaced on every assessment while held.
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
  async recordRejection(r: { eventId?: string; detailType?: string; source?: string; code?: string; unknownNames?: { kind: string; value: string }[]; reasons: string[]; receivedAt: number; raw: string }): Promise<void> {
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
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, kind: _kind, ...rest } = item;
  return rest;
};
