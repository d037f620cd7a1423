/**
 * The one definition of every table: names, keys, indexes, TTL and stream settings. The CDK stack
 * (lib/constructs), the local runtime (lib/local) and the integration tests all build from this.
 * Plain data only: no CDK or SDK imports, so every consumer can read it.
 */

export type AttributeType = 'S' | 'N';

export interface KeyDef {
  name: string;
  type: AttributeType;
}

export interface TableDef {
  /** Logical name; the physical name is `<prefix><logicalName>` (see tableName). */
  logicalName: string;
  partitionKey: KeyDef;
  sortKey?: KeyDef;
  globalIndexes?: { indexName: string; partitionKey: KeyDef; sortKey?: KeyDef }[];
  timeToLiveAttribute?: string;
  /** DynamoDB Stream view, when the table has a stream. */
  stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
  /** Who reads it and why: documentation that travels with the definition. */
  purpose: string;
}

const S = (name: string): KeyDef => ({ name, type: 'S' });

export const TABLES = {
  /**
   * Event store. Events: pk = subject key (`change#CHG-1`), sk = `v#<zero-padded version>`.
   * Dedupe items: pk = `event#<eventId>`, sk = `dedupe`, written in the same transaction.
   */
  events: {
    logicalName: 'events',
    partitionKey: S('pk'),
    sortKey: S('sk'),
    stream: 'NEW_IMAGE',
    purpose: 'append-only event store; its stream drives the assess function',
  },
  /**
   * Graph. Topology: pk = `graph`, sk = `node#<id>` | `channel#<channel>` | `meta` (the version).
   * Customers: pk = `customer#<id>`, sk = `profile`. Usage: pk = `usage#<touchpoint>#<shard>`,
   * sk = `<customerId>#<from>#<to>` with the customer's profile denormalised for the join.
   */
  graph: {
    logicalName: 'graph',
    partitionKey: S('pk'),
    sortKey: S('sk'),
    purpose: 'touchpoint-dependency graph: components, touchpoints, channels, customers, usage shards',
  },
  /**
   * Projections and the notification ledger. Subject state: pk = `subject#<key>`, sk = `state`; one
   * assessment in progress (the fan-in of its shards): same pk, sk = `assessment#<event version>`.
   * Per customer: pk = `customer#<id>`, sk = `impact#<key>` (current impact) or
   * `ledger#<key>#<kind>#<version>` (what was sent). Index bySubject: gsi1pk = `<key>#<shard>`,
   * gsi1sk = `impact#<customer>` | `ledger#<customer>#...` (sorted by customer: a shard is merge-joined).
   * Index byEffectSegment (impacts only): gsi2pk = `<key>#<effect>#<segment>#<view shard>`, gsi2sk =
   * `<customer>`: the console's customer pages, filtered and in id order, read by key.
   * Claim pages of the ledger (functions/adapters/ledger.ts): pk = `claims#<key>#<kind>#<version>#<page>`,
   * sk = `claims`; count tokens (a batch of marks counted once): pk = `counted#<key>#<page>`, sk =
   * `counted#<token>`. Notice counters: pk = `counts#<key>#<n>`, sk = `counts`. Metrics facts by window
   * (functions/adapters/metrics-facts.ts): pk = `metrics#byStart` | `metrics#long`, sk as the changes
   * index's; their anchor: pk = `metrics#anchor#<key>`, sk = `anchor`; built marker: pk = `metrics#index`,
   * sk = `built` (before it: pk = `metrics`, sk = `<key>`, moved by the first build).
   * Rejected events: pk = `rejected#<day>`, sk = `<receivedAt>#<eventId>`, expiring.
   * Held (draft) plans, as counts: pk = `held`, sk = `<key>`.
   * List of subjects: pk = `subjects`, sk = `<key>`. Changes index (functions/adapters/change-index.ts),
   * one item per change: pk = `changes#byStart`, sk = `<start ISO>#<key>` (windows up to LONG_CHANGE_MS)
   * or pk = `changes#long`, sk = `<end ISO | ~open>#<key>`; built marker: pk = `changes#index`, sk =
   * `built-2` (its items carry the hit touchpoints' effects; `built`: a store indexed before they did).
   * Open incidents (functions/adapters/open-incidents.ts), one item per incident not resolved: pk =
   * `incidents#open`, sk = `<key>`; built marker: pk = `incidents#index`, sk = `built`.
   */
  impacts: {
    logicalName: 'impacts',
    partitionKey: S('pk'),
    sortKey: S('sk'),
    globalIndexes: [
      { indexName: 'bySubject', partitionKey: S('gsi1pk'), sortKey: S('gsi1sk') },
      { indexName: 'byEffectSegment', partitionKey: S('gsi2pk'), sortKey: S('gsi2sk') },
    ],
    timeToLiveAttribute: 'expiresAt',
    purpose: 'subject state, customer impact, notification ledger, rejected events',
  },
  /** Contact details, keyed by customer id; only the notify function may read it. */
  contacts: {
    logicalName: 'contacts',
    partitionKey: S('customerId'),
    purpose: 'e-mail, phone and push token per customer (personal data: notify only, never logged)',
  },
} as const satisfies Record<string, TableDef>;

export type TableKey = keyof typeof TABLES;
export const TABLE_KEYS = Object.keys(TABLES) as TableKey[];

/** Shard counts of the item layout: defined with the adapters that use them, re-exported for lib/ and bench/. */
export {
  COUNTER_SHARDS,
  EVENT_ITEM_KIND,
  LEGACY_SHARDS,
  LONG_CHANGE_MS,
  SUBJECT_SHARDS,
  USAGE_SHARDS,
  VIEW_SHARDS,
} from '../functions/adapters/dynamodb/layout.ts';

/**
 * The impacts partitions the api function may write (IAM `dynamodb:LeadingKeys`): the first reader of a
 * store that predates the changes index, the open incidents' index or the metrics facts' index builds them
 * once (functions/adapters/change-index.ts, open-incidents.ts, metrics-facts.ts); it never writes a
 * subject's state or the ledger.
 */
export const INDEX_BUILD_PARTITIONS = ['changes#*', 'incidents#*', 'metrics', 'metrics#*'];

export const tableName = (key: TableKey, prefix = ''): string => `${prefix}${TABLES[key].logicalName}`;

/** Physical names of all tables for a prefix: what handlers get through their environment. */
export const tableNames = (prefix = ''): Record<TableKey, string> =>
  Object.fromEntries(TABLE_KEYS.map((k) => [k, tableName(k, prefix)])) as Record<TableKey, string>;

/**
 * The CreateTable input for a definition (SDK shape, on-demand): used by the local runtime and the
 * tests to create tables in DynamoDB Local. TTL is a separate UpdateTimeToLive call.
 */
export const createTableInput = (key: TableKey, prefix = '') => {
  const def: TableDef = TABLES[key];
  const keys = [def.partitionKey, ...(def.sortKey ? [def.sortKey] : [])];
  const indexKeys = (def.globalIndexes ?? []).flatMap((i) => [i.partitionKey, ...(i.sortKey ? [i.sortKey] : [])]);
  const attributes = new Map([...keys, ...indexKeys].map((k) => [k.name, k.type]));
  return {
    TableName: tableName(key, prefix),
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' as const },
      ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    ...(def.globalIndexes
      ? {
          GlobalSecondaryIndexes: def.globalIndexes.map((i) => ({
            IndexName: i.indexName,
            KeySchema: [
              { AttributeName: i.partitionKey.name, KeyType: 'HASH' as const },
              ...(i.sortKey ? [{ AttributeName: i.sortKey.name, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
    ...(def.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } } : {}),
  };
};
