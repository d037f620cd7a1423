/**
 * The notification ledger: per subject and customer, what was sent (kind, version, channel, time).
 *
 * Exactly once per (subject, customer, kind, version) comes from claim pages, not from one conditional
 * write per notice. The customers of one (subject, kind, version) are spread over NOTICE_PAGES pages by
 * id; a page item holds, per claimant, the set of customers it won, and a version. A worker claims a
 * whole run of customers with one conditional UpdateItem (`ADD t:<claimant> :ids, ver :one` on
 * condition that the version is the one it saw); on a lost race DynamoDB hands back the page as it is
 * now, the worker drops what others hold and tries again. So every customer lands in exactly one
 * claimant's set, however many workers race. The per-customer records (what was sent, on which
 * channel, when) are then plain BatchWriteItem puts of the winner's notices, indexed by subject
 * (sharded) so that a resolution can reach everyone who was told.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { SUBJECT_SHARDS } from './dynamodb/layout.ts';
import { EFFECTS, type Effect } from '../domain/model.ts';
import { noticePageOf } from '../domain/notices/jobs.ts';
import { shardOf } from '../domain/shards.ts';
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
  /** The effect the notice told of: what the next notice is compared with (quiet hours). */
  effect?: Effect;
  /** 'sent' on every record written now; 'claimed' only on records written before claim pages existed. */
  status?: 'claimed' | 'sent';
}

const padded = (version: number) => String(version).padStart(6, '0');

export const ledgerKey = (e: Pick<LedgerEntry, 'subjectKey' | 'customerId' | 'kind' | 'version'>) => ({
  pk: `customer#${e.customerId}`,
  sk: `ledger#${e.subjectKey}#${e.kind}#${padded(e.version)}`,
});

export const subjectShard = (subjectKey: string, customerId: string) => `${subjectKey}#${shardOf(customerId, SUBJECT_SHARDS)}`;

/** The claim page of an entry: one item per (subject, kind, version, page). */
export const claimPageKey = (e: Pick<LedgerEntry, 'subjectKey' | 'customerId' | 'kind' | 'version'>) => ({
  pk: `claims#${e.subjectKey}#${e.kind}#${padded(e.version)}#${noticePageOf(e.customerId)}`,
  sk: 'claims',
});

/** Lost races on one page before giving up (each loser retries with the page DynamoDB handed back). */
const RACE_ATTEMPTS = 40;
/** Throttled requests retried by us once the SDK's own retries gave up. */
const THROTTLE_ATTEMPTS = 10;
const CLAIMANT_PREFIX = 't:';

/** A claimant's set on a page: named by a short hash of the claimant, unique per claimant. */
const claimantSet = (claimant: string) => `${CLAIMANT_PREFIX}${createHash('sha256').update(claimant).digest('base64url').slice(0, 16)}`;
const customerIds = (entries: readonly LedgerEntry[]) => new Set(entries.map((e) => e.customerId));

/** The stored record of a sent notice. */
export const ledgerItem = (e: LedgerEntry) => ({
  ...ledgerKey(e),
  kind: 'ledger',
  gsi1pk: subjectShard(e.subjectKey, e.customerId),
  gsi1sk: `ledger#${e.customerId}#${e.kind}#${padded(e.version)}`,
  subjectKey: e.subjectKey,
  customerId: e.customerId,
  noticeKind: e.kind,
  version: e.version,
  channel: e.channel,
  sentAt: e.sentAt,
  ...(e.effect ? { effect: e.effect } : {}),
  status: 'sent',
});

const fromItem = (i: Record<string, unknown>): LedgerEntry => ({
  subjectKey: String(i.subjectKey),
  customerId: String(i.customerId),
  kind: String(i.noticeKind),
  version: Number(i.version),
  channel: String(i.channel),
  sentAt: Number(i.sentAt),
  ...(isEffect(i.effect) ? { effect: i.effect } : {}),
  status: i.status === 'claimed' ? 'claimed' : 'sent',
});

const isEffect = (value: unknown): value is Effect => typeof value === 'string' && (EFFECTS as readonly string[]).includes(value);

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

const uniqueEntries = (entries: readonly LedgerEntry[]): LedgerEntry[] => [...new Map(entries.map((e) => [`${e.subjectKey}\n${e.customerId}\n${e.kind}\n${e.version}`, e])).values()];

/** Entries grouped by claim page. */
const byPage = (entries: readonly LedgerEntry[]): { key: ReturnType<typeof claimPageKey>; entries: LedgerEntry[] }[] => {
  const pages = new Map<string, { key: ReturnType<typeof claimPageKey>; entries: LedgerEntry[] }>();
  for (const e of entries) {
    const key = claimPageKey(e);
    const page = pages.get(key.pk);
    if (page) page.entries.push(e);
    else pages.set(key.pk, { key, entries: [e] });
  }
  return [...pages.values()];
};

/** A claim page as DynamoDB returned it: its version and every claimant's set of customers. */
const readPage = (item: Record<string, AttributeValue> | undefined) => {
  const page = item ? unmarshall(item) : {};
  const claimants = new Map<string, ReadonlySet<string>>();
  for (const [name, value] of Object.entries(page)) if (name.startsWith(CLAIMANT_PREFIX)) claimants.set(name, value as Set<string>);
  return { version: page.ver as number | undefined, claimants };
};

export class LedgerContentionError extends Error {
  constructor(page: string, attempts: number) {
    super(`claim page ${page}: lost ${attempts} races in a row to other workers; retry the job (its claims so far are kept)`);
    this.name = 'LedgerContentionError';
  }
}

/** How a claim came out for one entry. */
type ClaimOutcome = 'new' | 'mine-before' | 'taken';

export class Ledger {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.client = client;
    this.table = table;
  }

  /** Retries what the SDK's own retries gave up on (throttling), with backoff, a bounded number of times. */
  private async update(input: ConstructorParameters<typeof UpdateCommand>[0], what: string) {
    for (let attempt = 0; ; attempt++) {
      if (attempt >= THROTTLE_ATTEMPTS) throw new RetriesExhaustedError(what, attempt);
      if (attempt > 0) await sleep(backoffMs(attempt));
      try {
        return await this.client.send(new UpdateCommand(input));
      } catch (error) {
        if (!isThrottling(error)) throw error;
      }
    }
  }

  /** Claims every entry for `claimant` on its page; tells per entry whether it is newly ours, ours from before, or someone else's. */
  private async claimOnPages(entries: readonly LedgerEntry[], claimant: string, concurrency: number) {
    const mySet = claimantSet(claimant);
    const outcomes: { entry: LedgerEntry; outcome: ClaimOutcome }[] = [];
    await runBounded(byPage(uniqueEntries(entries)), concurrency, async ({ key, entries: mine }) => {
      // Optimistic first: a page nobody has claimed on yet is taken in one request.
      let want = mine;
      let seen: ReturnType<typeof readPage> = { version: undefined, claimants: new Map() };
      for (let attempt = 0; want.length > 0; attempt++) {
        if (attempt >= RACE_ATTEMPTS) throw new LedgerContentionError(key.pk, attempt);
        if (attempt > 1) await sleep(backoffMs(attempt - 1));
        try {
          await this.update(
            {
              TableName: this.table,
              Key: key,
              UpdateExpression: 'ADD #mine :ids, ver :one',
              ConditionExpression: seen.version === undefined ? 'attribute_not_exists(pk)' : 'ver = :seen',
              ExpressionAttributeNames: { '#mine': mySet },
              ExpressionAttributeValues: { ':ids': customerIds(want), ':one': 1, ...(seen.version === undefined ? {} : { ':seen': seen.version }) },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
            `claiming ${want.length} notices on ${key.pk}`,
          );
          for (const entry of want) outcomes.push({ entry, outcome: 'new' });
          want = [];
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          if (!error.Item) throw new Error(`claim page ${key.pk}: the conditional update failed without returning the page; the endpoint must support ReturnValuesOnConditionCheckFailure`);
          // Someone wrote the page since we looked: take it as it is now and claim only what is free.
          seen = readPage(error.Item);
          const before = seen.claimants.get(mySet);
          const taken = new Set([...seen.claimants].filter(([name]) => name !== mySet).flatMap(([, ids]) => [...ids]));
          const free: LedgerEntry[] = [];
          for (const entry of want) {
            if (before?.has(entry.customerId)) outcomes.push({ entry, outcome: 'mine-before' });
            else if (taken.has(entry.customerId)) outcomes.push({ entry, outcome: 'taken' });
            else free.push(entry);
          }
          want = free;
        }
      }
    });
    return outcomes;
  }

  /**
   * Claims entries for sending by `claimant`. `send` = claimed now, or claimed earlier by the same
   * claimant and never recorded as sent (the worker died mid-job and its job came back); everything
   * else is someone else's or already sent and must not be sent again.
   */
  async claim(entries: readonly LedgerEntry[], claimant: string, concurrency = 8): Promise<{ send: LedgerEntry[]; skipped: LedgerEntry[] }> {
    const outcomes = await this.claimOnPages(entries, claimant, concurrency);
    const send: LedgerEntry[] = [];
    const skipped: LedgerEntry[] = [];
    const retried: LedgerEntry[] = [];
    for (const { entry, outcome } of outcomes) (outcome === 'new' ? send : outcome === 'taken' ? skipped : retried).push(entry);
    if (retried.length > 0) {
      // Our own earlier claims: send again only what was never recorded as sent.
      const recorded = await batchGet<Record<string, unknown>>(this.client, this.table, retried.map(ledgerKey), { projection: 'pk, sk, #s', names: { '#s': 'status' } });
      const sent = new Set(recorded.filter((i) => i.status === 'sent').map((i) => `${i.pk}\n${i.sk}`));
      for (const e of retried) {
        const k = ledgerKey(e);
        (sent.has(`${k.pk}\n${k.sk}`) ? skipped : send).push(e);
      }
    }
    return { send, skipped };
  }

  /**
   * Records entries exactly once each (claim, then write the records of what was ours). Returns which
   * were new (recorded now) and which had been recorded before: the caller acts only on the new ones.
   */
  async record(entries: readonly LedgerEntry[], concurrency = 8): Promise<{ recorded: LedgerEntry[]; already: LedgerEntry[] }> {
    const { send, skipped } = await this.claim(entries, randomUUID(), concurrency);
    await batchWrite(this.client, this.table, send.map((e) => ({ PutRequest: { Item: ledgerItem(e) } })), { concurrency });
    return { recorded: send, already: skipped };
  }

  /** Records claimed entries as sent (idempotent overwrite). */
  async markSent(entries: readonly LedgerEntry[], sentAt: number): Promise<void> {
    await batchWrite(this.client, this.table, entries.map((e) => ({ PutRequest: { Item: ledgerItem({ ...e, sentAt }) } })));
  }

  /** Gives claims back (the notice could not be sent), so that a retry or a DLQ redrive may send it. */
  async release(entries: readonly LedgerEntry[], claimant: string, concurrency = 8): Promise<void> {
    const mySet = claimantSet(claimant);
    await runBounded(byPage(uniqueEntries(entries)), concurrency, async ({ key, entries: run }) => {
      await this.update(
        { TableName: this.table, Key: key, UpdateExpression: 'DELETE #mine :ids ADD ver :one', ExpressionAttributeNames: { '#mine': mySet }, ExpressionAttributeValues: { ':ids': customerIds(run), ':one': 1 } },
        `releasing ${run.length} notices on ${key.pk}`,
      );
    });
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
