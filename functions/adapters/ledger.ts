/**
 * The notification ledger: per subject and customer, what was sent (kind, version, channel, time).
 *
 * Exactly once per (subject, customer, kind, version) comes from claim pages, not from one conditional
 * write per notice. The customers of one (subject, kind, version) are spread over NOTICE_PAGES pages by
 * id; a page item holds, per claimant, the set of customers it won and until when it holds them (its
 * lease), and a version. A worker claims a whole run of customers with one conditional UpdateItem
 * (`ADD t:<claimant> :ids, ver :one SET l:<claimant> = :until` on condition that the version is the one
 * it saw); on a lost race DynamoDB hands back the page as it is now, the worker drops what others hold
 * and tries again. So every customer lands in exactly one claimant's set, however many workers race.
 * The per-customer records (what was sent, on which channel, when) are then plain BatchWriteItem puts of
 * the winner's notices, each batch as soon as SNS took it, indexed by subject (sharded) so that a
 * resolution can reach everyone who was told; each carries its run's count token (newCountToken), under
 * which the run's marks are counted once (Projections.countMarked, settleCounts).
 *
 * Claims are leases (CLAIM_LEASE_MS, longer than notify can run): a claim whose lease ran out is taken
 * over, in the same conditional update, by the next claimant that wants it (a retry, a DLQ redrive with a
 * new message id), which then sends whatever was never marked sent. A worker sends only while its lease
 * holds (with a margin), so it never publishes what another has taken over. Limits: a worker that dies
 * between SNS taking a batch and the mark leaves that batch (at most 10 notices) to be sent again by
 * whoever resumes its claims; SNS has no dedupe, the message's noticeId lets a subscriber drop it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { SUBJECT_SHARDS } from './dynamodb/layout.ts';
import { EFFECTS, type Effect } from '../domain/model.ts';
import { CLAIM_LEASE_MS, LEASE_MARGIN_MS, noticePageOf } from '../domain/notices/jobs.ts';

export { CLAIM_LEASE_MS, LEASE_MARGIN_MS };
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
const LEASE_PREFIX = 'l:';

/** A claimant's set on a page: named by a short hash of the claimant, unique per claimant. */
const claimantHash = (claimant: string) => createHash('sha256').update(claimant).digest('base64url').slice(0, 16);
const claimantSet = (claimant: string) => `${CLAIMANT_PREFIX}${claimantHash(claimant)}`;
const leaseOf = (set: string) => `${LEASE_PREFIX}${set.slice(CLAIMANT_PREFIX.length)}`;
const customerIds = (entries: readonly LedgerEntry[]) => new Set(entries.map((e) => e.customerId));

/**
 * A count token: names the marks of one notify run (a job) and their one count. notify writes each
 * PublishBatch's marks with BatchWriteItem, each carrying the run's token, then counts them at the run's
 * end in a small transaction that also adds them to the token's item (conditional on its revision).
 * Whoever finds marks the token's item does not list (a worker died between the marks and the count;
 * DynamoDB Local lost the count at a kill -9) counts them under their token, and the condition lets only
 * one count win. The page part spreads the token items over NOTICE_PAGES partitions of a subject.
 */
export const newCountToken = (firstCustomerId: string): string => `${noticePageOf(firstCustomerId)}.${randomUUID().replaceAll('-', '').slice(0, 16)}`;

/** The item that lists the customers counted under a count token. */
export const countTokenKey = (subjectKey: string, token: string) => ({
  pk: `counted#${subjectKey}#${token.slice(0, token.indexOf('.'))}`,
  sk: `counted#${token}`,
});

/** A notice the ledger records as sent, with the count token its mark was written under. */
export interface MarkedEntry<E extends LedgerEntry = LedgerEntry> {
  entry: E;
  countToken: string;
}

/** The stored record of a sent notice (with the count token of its batch, when counted by token). */
export const ledgerItem = (e: LedgerEntry, countToken?: string) => ({
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
  ...(countToken ? { countToken } : {}),
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

/** A stored ledger record as an entry (the shard planner reads records itself: functions/adapters/shard-store.ts). */
export const ledgerEntryOf = fromItem;

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

const uniqueEntries = (entries: readonly LedgerEntry[]): LedgerEntry[] => [
  ...new Map(entries.map((e) => [`${e.subjectKey}\n${e.customerId}\n${e.kind}\n${e.version}`, e])).values(),
];

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

/**
 * A claim page as DynamoDB returned it: its version, every claimant's set of customers and when its
 * lease ends (0 for claims written before leases: long over).
 */
const readPage = (item: Record<string, AttributeValue> | undefined) => {
  const page = item ? unmarshall(item) : {};
  const claimants = new Map<string, { ids: ReadonlySet<string>; leaseUntil: number }>();
  for (const [name, value] of Object.entries(page)) {
    if (name.startsWith(CLAIMANT_PREFIX)) claimants.set(name, { ids: value as Set<string>, leaseUntil: Number(page[leaseOf(name)] ?? 0) });
  }
  return { version: page.ver as number | undefined, claimants };
};

export class LedgerContentionError extends Error {
  constructor(page: string, attempts: number) {
    super(`claim page ${page}: lost ${attempts} races in a row to other workers; retry the job (its claims so far are kept)`);
    this.name = 'LedgerContentionError';
  }
}

export class LeaseExpiredError extends Error {
  readonly code = 'LeaseExpired';

  constructor(claimant: string, leaseUntil: number, now: number) {
    super(
      `the claims of ${claimantHash(claimant)} are held until ${new Date(leaseUntil).toISOString()}, too close to now (${new Date(now).toISOString()}) to send more: the job is left to a retry, which renews what is still its own`,
    );
    this.name = 'LeaseExpiredError';
  }
}

/** How a claim came out for one entry: newly ours, ours before (or taken over from a lapsed lease: both may have been sent), or someone else's. */
type ClaimOutcome = 'new' | 'resumed' | 'taken';

/** What a claim decided: what to send now, what not, until when the lease holds, and the marks it found. */
export interface Claimed {
  send: LedgerEntry[];
  skipped: LedgerEntry[];
  leaseUntil: number;
  /** Resumed claims found sent under a count token: their count may be missing (Projections.settleCounts). */
  marked: MarkedEntry[];
}

export interface ClaimOptions {
  /** The claimant's clock (epoch ms): leases are measured on it. Default Date.now(). */
  now?: number;
  concurrency?: number;
}

export interface LedgerOptions {
  /** Lease length (default CLAIM_LEASE_MS). */
  leaseMs?: number;
}

export class Ledger {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  readonly leaseMs: number;

  constructor(client: DynamoDBDocumentClient, table: string, options: LedgerOptions = {}) {
    this.client = client;
    this.table = table;
    this.leaseMs = options.leaseMs ?? CLAIM_LEASE_MS;
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

  /**
   * Claims every entry for `claimant` on its page until `leaseUntil`; tells per entry whether it is newly
   * ours, ours from before or taken over from a lapsed lease (both: maybe sent already), or someone
   * else's. Claims already ours are renewed in the same update.
   */
  private async claimOnPages(entries: readonly LedgerEntry[], claimant: string, now: number, leaseUntil: number, concurrency: number) {
    const mySet = claimantSet(claimant);
    const outcomes: { entry: LedgerEntry; outcome: ClaimOutcome }[] = [];
    await runBounded(byPage(uniqueEntries(entries)), concurrency, async ({ key, entries: mine }) => {
      // Optimistic first: a page nobody has claimed on yet is taken in one request.
      let want = mine.map((entry) => ({ entry, outcome: 'new' as ClaimOutcome }));
      let taken: LedgerEntry[] = [];
      let lapsed = new Map<string, string[]>();
      let seen: ReturnType<typeof readPage> = { version: undefined, claimants: new Map() };
      for (let attempt = 0; want.length > 0; attempt++) {
        if (attempt >= RACE_ATTEMPTS) throw new LedgerContentionError(key.pk, attempt);
        if (attempt > 1) await sleep(backoffMs(attempt - 1));
        // Taking over: the ids leave the lapsed claimant's set in the same update that adds them to ours.
        const takeOver = [...lapsed].map(([set, ids], i) => ({ name: `#d${i}`, value: `:d${i}`, set, ids }));
        try {
          await this.update(
            {
              TableName: this.table,
              Key: key,
              UpdateExpression: `ADD #mine :ids, ver :one SET #lease = :until${takeOver.length > 0 ? ` DELETE ${takeOver.map((t) => `${t.name} ${t.value}`).join(', ')}` : ''}`,
              ConditionExpression: seen.version === undefined ? 'attribute_not_exists(pk)' : 'ver = :seen',
              ExpressionAttributeNames: { '#mine': mySet, '#lease': leaseOf(mySet), ...Object.fromEntries(takeOver.map((t) => [t.name, t.set])) },
              ExpressionAttributeValues: {
                ':ids': customerIds(want.map((w) => w.entry)),
                ':one': 1,
                ':until': leaseUntil,
                ...(seen.version === undefined ? {} : { ':seen': seen.version }),
                ...Object.fromEntries(takeOver.map((t) => [t.value, new Set(t.ids)])),
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
            `claiming ${want.length} notices on ${key.pk}`,
          );
          outcomes.push(...want);
          want = [];
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          if (!error.Item)
            throw new Error(
              `claim page ${key.pk}: the conditional update failed without returning the page; the endpoint must support ReturnValuesOnConditionCheckFailure`,
            );
          // Someone wrote the page since we looked: take it as it is now and sort our run again.
          seen = readPage(error.Item);
          const owner = new Map<string, { set: string; live: boolean }>();
          for (const [set, claim] of seen.claimants) for (const id of claim.ids) owner.set(id, { set, live: set === mySet || claim.leaseUntil > now });
          want = [];
          taken = [];
          lapsed = new Map();
          for (const entry of mine) {
            const held = owner.get(entry.customerId);
            if (!held) want.push({ entry, outcome: 'new' });
            else if (held.set === mySet) want.push({ entry, outcome: 'resumed' });
            else if (held.live) taken.push(entry);
            else {
              want.push({ entry, outcome: 'resumed' });
              lapsed.set(held.set, [...(lapsed.get(held.set) ?? []), entry.customerId]);
            }
          }
        }
      }
      // Counted once, from the page as it was when this run was settled.
      for (const entry of taken) outcomes.push({ entry, outcome: 'taken' });
    });
    return outcomes;
  }

  /**
   * Claims entries for sending by `claimant` until the returned `leaseUntil`. `send` = claimed now, or
   * claimed earlier by the same claimant (the worker died mid-job and its job came back) or by one whose
   * lease ran out, and never recorded as sent; everything else is someone else's or already sent and
   * must not be sent again.
   */
  async claim(entries: readonly LedgerEntry[], claimant: string, options: ClaimOptions = {}): Promise<Claimed> {
    const now = options.now ?? Date.now();
    const leaseUntil = now + this.leaseMs;
    const outcomes = await this.claimOnPages(entries, claimant, now, leaseUntil, options.concurrency ?? 8);
    const send: LedgerEntry[] = [];
    const skipped: LedgerEntry[] = [];
    const resumed: LedgerEntry[] = [];
    for (const { entry, outcome } of outcomes) (outcome === 'new' ? send : outcome === 'taken' ? skipped : resumed).push(entry);
    if (resumed.length === 0) return { send, skipped, leaseUntil, marked: [] };
    // Claims that may have been sent already: send again only what was never recorded as sent; what was
    // may not have been counted yet (the caller settles its count: Projections.settleCounts).
    const { unsent, marked } = await this.records(resumed);
    const unsentSet = new Set(unsent);
    for (const e of resumed) (unsentSet.has(e) ? send : skipped).push(e);
    return { send, skipped, leaseUntil, marked };
  }

  /**
   * Which entries the ledger does not record as sent, and which it does under a count token (one
   * BatchGetItem per 100, keys and token only). Marks without a token were counted in the transaction
   * that wrote them.
   */
  async records<E extends LedgerEntry>(entries: readonly E[]): Promise<{ unsent: E[]; marked: MarkedEntry<E>[] }> {
    if (entries.length === 0) return { unsent: [], marked: [] };
    const recorded = await batchGet<Record<string, unknown>>(this.client, this.table, entries.map(ledgerKey), {
      projection: 'pk, sk, #s, countToken',
      names: { '#s': 'status' },
    });
    const sent = new Map(recorded.filter((i) => i.status === 'sent').map((i) => [`${i.pk}\n${i.sk}`, i.countToken]));
    const unsent: E[] = [];
    const marked: MarkedEntry<E>[] = [];
    for (const entry of entries) {
      const k = ledgerKey(entry);
      const id = `${k.pk}\n${k.sk}`;
      if (!sent.has(id)) unsent.push(entry);
      else {
        const countToken = sent.get(id);
        if (typeof countToken === 'string') marked.push({ entry, countToken });
      }
    }
    return { unsent, marked };
  }

  /** Throws LeaseExpiredError when a claimant holding claims until `leaseUntil` must stop sending. */
  checkLease(claimant: string, leaseUntil: number, now: number): void {
    if (now > leaseUntil - Math.min(LEASE_MARGIN_MS, this.leaseMs / 5)) throw new LeaseExpiredError(claimant, leaseUntil, now);
  }

  /**
   * Records entries exactly once each (claim, then write the records of what was ours). Returns which
   * were new (recorded now) and which had been recorded before: the caller acts only on the new ones.
   */
  async record(entries: readonly LedgerEntry[], concurrency = 8): Promise<{ recorded: LedgerEntry[]; already: LedgerEntry[] }> {
    const { send, skipped } = await this.claim(entries, randomUUID(), { concurrency });
    await batchWrite(
      this.client,
      this.table,
      send.map((e) => ({ PutRequest: { Item: ledgerItem(e) } })),
      { concurrency },
    );
    return { recorded: send, already: skipped };
  }

  /** Gives claims back (the notice could not be sent), so that a retry or a DLQ redrive may send it. */
  async release(entries: readonly LedgerEntry[], claimant: string, concurrency = 8): Promise<void> {
    const mySet = claimantSet(claimant);
    await runBounded(byPage(uniqueEntries(entries)), concurrency, async ({ key, entries: run }) => {
      await this.update(
        {
          TableName: this.table,
          Key: key,
          UpdateExpression: 'DELETE #mine :ids ADD ver :one',
          ExpressionAttributeNames: { '#mine': mySet },
          ExpressionAttributeValues: { ':ids': customerIds(run), ':one': 1 },
        },
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
