/**
 * The graph in DynamoDB. Import is a diff against what is stored (puts for new or changed items,
 * deletes for items no longer in the files), so re-importing the same files writes nothing. Loading
 * for an assessment reads the topology once per graph version and then only the usage shards of the
 * impacted touchpoints, in parallel.
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GraphView } from '../domain/impact/assess.ts';
import type { Topology } from '../domain/impact/propagate.ts';
import { buildIntakeCatalog, type IntakeCatalog } from '../domain/intake/catalog.ts';
import type { Component, Customer, Graph, NodeId, NotificationChannelDef, Touchpoint, Usage } from '../domain/model.ts';
import { shardOf } from '../domain/shards.ts';
import { LEGACY_SHARDS, USAGE_SHARDS } from './dynamodb/layout.ts';
import { batchGet, batchWrite, type BatchOptions, type WriteRequest } from './dynamodb/batch.ts';
import { queryAll, queryPages, scanAll } from './dynamodb/query.ts';
import { runBounded } from './dynamodb/retry.ts';

const GRAPH_PK = 'graph';

/** Stands in for a contact detail in store views: the detail itself is only in the contacts table. */
export const CONTACT_ON_FILE = '(on file)';
const META = { pk: GRAPH_PK, sk: 'meta' };

export const usagePartition = (touchpoint: NodeId, shard: number) => `usage#${touchpoint}#${shard}`;

/**
 * What the assessment needs of a customer, stored with each usage so the join reads one partition set.
 * Which kinds of contact exist is part of it (channel choice needs it); the details are not.
 */
type Profile = Omit<Customer, 'contacts' | 'id'> & { has: string };
const profileOf = (c: Customer): Profile => ({
  has: (['email', 'phone', 'push'] as const).filter((k) => c.contacts[k]).join('|'),
  segment: c.segment,
  locale: c.locale,
  timeZone: c.timeZone,
  channels: c.channels,
  optOut: c.optOut,
  quietHours: c.quietHours,
});

const digest = (value: unknown) => createHash('sha1').update(JSON.stringify(value)).digest('base64').slice(0, 16);

export interface ImportReport {
  puts: number;
  deletes: number;
  unchanged: number;
  contactPuts: number;
  contactDeletes: number;
  /** The graph version after the import (unchanged when nothing changed). */
  version: number;
}

export interface ImportOptions {
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

type Item = Record<string, unknown> & { pk: string; sk: string; h: string };

/** Contacts go to their own table: the graph table never holds personal contact data. */
const contactItem = (c: Customer) => {
  const body = { email: c.contacts.email, phone: c.contacts.phone, push: c.contacts.push };
  return { customerId: c.id, ...body, h: digest(body) };
};

export const graphItems = function* (graph: Graph): Generator<Item> {
  for (const node of [...graph.components.values(), ...graph.touchpoints.values()]) {
    const kind = graph.touchpoints.has(node.id) ? 'touchpoint' : 'component';
    const data = JSON.stringify(node);
    yield { pk: GRAPH_PK, sk: `node#${node.id}`, kind, data, h: digest([kind, data]) };
  }
  for (const def of graph.notificationChannels.values()) {
    const data = JSON.stringify(def);
    yield { pk: GRAPH_PK, sk: `channel#${def.channel}`, kind: 'channel', data, h: digest(data) };
  }
  for (const customer of graph.customers.values()) {
    const profile = profileOf(customer);
    yield { pk: `customer#${customer.id}`, sk: 'profile', kind: 'customer', ...profile, h: digest(profile) };
  }
  for (const [touchpoint, usages] of graph.usagesByTouchpoint) {
    for (const u of usages) {
      const customer = graph.customers.get(u.customerId);
      const p = customer ? profileOf(customer) : undefined;
      const body = { c: u.customerId, f: u.from, t: u.to, p };
      yield {
        pk: usagePartition(touchpoint, shardOf(u.customerId, USAGE_SHARDS)),
        sk: `${u.customerId}#${u.from ?? ''}#${u.to ?? ''}`,
        kind: 'usage',
        ...body,
        h: digest(body),
      };
    }
  }
};

/** How many items graphItems yields for a graph (without making them). */
const graphItemCount = (graph: Graph): number =>
  graph.components.size +
  graph.touchpoints.size +
  graph.notificationChannels.size +
  graph.customers.size +
  [...graph.usagesByTouchpoint.values()].reduce((n, usages) => n + usages.length, 0);

/** Slice of write requests made, written and let go at a time. */
const IMPORT_SLICE = 20_000;

/**
 * Writes requests as an iterable makes them, a slice at a time; after each slice, `onProgress` gets how
 * many more items `looked` says the iterable has gone through (written or not).
 */
const writeInSlices = async (
  client: DynamoDBDocumentClient,
  table: string,
  requests: Iterable<WriteRequest>,
  options: Omit<BatchOptions, 'onProgress'> & { looked: () => number; onProgress: (n: number) => void },
): Promise<void> => {
  const { looked, onProgress, ...batch } = options;
  let slice: WriteRequest[] = [];
  let reported = 0;
  const flush = async () => {
    await batchWrite(client, table, slice, batch);
    slice = [];
    const now = looked();
    onProgress(now - reported);
    reported = now;
  };
  for (const request of requests) {
    slice.push(request);
    if (slice.length >= IMPORT_SLICE) await flush();
  }
  await flush();
};

interface CachedTopology {
  version: number;
  topology: Topology;
}

/** A graph version and the shard count its usage items were written with (absent in graphs imported before: 16). */
export interface GraphLayout {
  version: number;
  usageShards: number;
}

/** A customer's assessment profile as a usage item carries it; contacts only say which exist. */
export const customerOfUsage = (customerId: string, profile: unknown): Customer | undefined => {
  if (!profile) return undefined;
  const { has, ...p } = profile as Profile;
  const contacts = Object.fromEntries(
    has
      .split('|')
      .filter(Boolean)
      .map((k) => [k, CONTACT_ON_FILE]),
  );
  return { id: customerId, ...p, contacts, channels: p.channels ?? ['email'], optOut: !!p.optOut };
};

export class GraphStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly graphTable: string;
  private readonly contactsTable: string;
  private cached?: CachedTopology;
  private catalog?: { version: number; catalog: IntakeCatalog };

  constructor(client: DynamoDBDocumentClient, tables: { graph: string; contacts: string }) {
    this.client = client;
    this.graphTable = tables.graph;
    this.contactsTable = tables.contacts;
  }

  async version(): Promise<number> {
    return (await this.layout()).version;
  }

  async layout(): Promise<GraphLayout> {
    const out = await this.client.send(new GetCommand({ TableName: this.graphTable, Key: META, ConsistentRead: true }));
    return { version: Number(out.Item?.version ?? 0), usageShards: Number(out.Item?.usageShards ?? LEGACY_SHARDS) };
  }

  /** Writes the difference between `graph` and what is stored; bumps the graph version when anything changed. */
  async import(graph: Graph, options: ImportOptions = {}): Promise<ImportReport> {
    const layout = await this.layout();
    const version = layout.version;
    // A store that never held a graph has nothing to diff against: no scan (the first import of a big estate).
    const empty = version === 0;
    const [stored, storedContacts] = empty
      ? [[], []]
      : await Promise.all([
          scanAll(this.client, { TableName: this.graphTable, ProjectionExpression: 'pk, sk, h' }),
          scanAll(this.client, { TableName: this.contactsTable, ProjectionExpression: 'customerId, h' }),
        ]);
    const existing = new Map<string, string>();
    for (const item of stored) if (item.sk !== 'meta') existing.set(`${item.pk}\u0000${item.sk}`, String(item.h));
    const existingContacts = new Map(storedContacts.map((c) => [String(c.customerId), String(c.h)]));
    const counts = { puts: 0, deletes: 0, unchanged: 0, contactPuts: 0, contactDeletes: 0 };
    const looked = { graph: 0, contacts: 0 };
    // The writes are made as the items are: a Delta estate's 1.8 million write requests held at once took
    // about a gigabyte of heap. Deletes (what the stored graph has and this one has not) come after.
    const graphWrites = function* (): Generator<WriteRequest> {
      for (const item of graphItems(graph)) {
        looked.graph++;
        const key = `${item.pk}\u0000${item.sk}`;
        const h = existing.get(key);
        existing.delete(key);
        if (h === item.h) {
          counts.unchanged++;
        } else {
          counts.puts++;
          yield { PutRequest: { Item: item } };
        }
      }
      for (const key of existing.keys()) {
        const [pk, sk] = key.split('\u0000');
        counts.deletes++;
        yield { DeleteRequest: { Key: { pk, sk } } };
      }
    };
    const contactWrites = function* (): Generator<WriteRequest> {
      for (const customer of graph.customers.values()) {
        looked.contacts++;
        const item = contactItem(customer);
        const h = existingContacts.get(item.customerId);
        existingContacts.delete(item.customerId);
        if (h !== item.h) {
          counts.contactPuts++;
          yield { PutRequest: { Item: item } };
        }
      }
      for (const customerId of existingContacts.keys()) {
        counts.contactDeletes++;
        yield { DeleteRequest: { Key: { customerId } } };
      }
    };

    // Progress: the new graph's items gone through (written or unchanged), of all it has.
    const items = graphItemCount(graph) + graph.customers.size;
    let done = 0;
    const onProgress = (n: number) => options.onProgress?.((done += n), items);
    const concurrency = options.concurrency ?? 16;
    await Promise.all([
      writeInSlices(this.client, this.graphTable, graphWrites(), { concurrency, onProgress, looked: () => looked.graph }),
      writeInSlices(this.client, this.contactsTable, contactWrites(), {
        concurrency: Math.max(2, concurrency / 4),
        onProgress,
        looked: () => looked.contacts,
        key: ['customerId'],
      }),
    ]);
    const total = counts.puts + counts.deletes + counts.contactPuts + counts.contactDeletes;
    const changed = total > 0 || layout.usageShards !== USAGE_SHARDS;
    const next = changed ? version + 1 : version;
    // The version moves only after every item is written: readers never see a half-imported graph version.
    // It records the usage shard count the items were written with (readers of older graphs assume 16).
    if (changed)
      await this.client.send(
        new PutCommand({ TableName: this.graphTable, Item: { ...META, version: next, usageShards: USAGE_SHARDS, importedAt: Date.now() } }),
      );
    return { ...counts, version: next };
  }

  /** Components, touchpoints and notification channels, read once per graph version. */
  async topology(): Promise<CachedTopology> {
    const version = await this.version();
    if (this.cached?.version === version) return this.cached;
    return this.loadTopology(version);
  }

  private async loadTopology(version: number): Promise<CachedTopology> {
    const items = await queryAll(this.client, {
      TableName: this.graphTable,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': GRAPH_PK },
      ConsistentRead: true,
    });
    const topology: Topology = { components: new Map(), touchpoints: new Map(), notificationChannels: new Map() };
    for (const item of items) {
      if (item.kind === 'component') topology.components.set(String(item.sk).slice(5), JSON.parse(String(item.data)) as Component);
      else if (item.kind === 'touchpoint') topology.touchpoints.set(String(item.sk).slice(5), JSON.parse(String(item.data)) as Touchpoint);
      else if (item.kind === 'channel') {
        const def = JSON.parse(String(item.data)) as NotificationChannelDef;
        topology.notificationChannels.set(def.channel, def);
      }
    }
    this.cached = { version, topology };
    return this.cached;
  }

  /** The nodes by their names in the tools intake reads (ci, services, alerts, awsHealth), built once per graph version. */
  async intakeCatalog(): Promise<IntakeCatalog> {
    const { version, topology } = await this.topology();
    if (this.catalog?.version !== version) {
      this.catalog = { version, catalog: buildIntakeCatalog([...topology.components.values(), ...topology.touchpoints.values()]) };
    }
    return this.catalog.catalog;
  }

  /** Usages (with customer profiles) of the given touchpoints: every shard queried in parallel. */
  async usagesOf(touchpoints: readonly NodeId[], concurrency = 16): Promise<{ usages: Map<NodeId, Usage[]>; customers: Map<string, Customer> }> {
    const usages = new Map<NodeId, Usage[]>(touchpoints.map((t) => [t, []]));
    const customers = new Map<string, Customer>();
    const { usageShards } = await this.layout();
    const partitions = touchpoints.flatMap((touchpoint) => Array.from({ length: usageShards }, (_, shard) => ({ touchpoint, shard })));
    await runBounded(partitions, concurrency, async ({ touchpoint, shard }) => {
      const list = usages.get(touchpoint)!;
      for await (const page of queryPages(this.client, {
        TableName: this.graphTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': usagePartition(touchpoint, shard) },
      })) {
        for (const item of page) {
          const customerId = String(item.c);
          list.push({ customerId, touchpoint, from: item.f as number | undefined, to: item.t as number | undefined });
          if (item.p && !customers.has(customerId)) customers.set(customerId, customerOfUsage(customerId, item.p)!);
        }
      }
    });
    return { usages, customers };
  }

  /**
   * The channel preference and opt-out of customers (their stored profiles; contacts are not here): what
   * notify needs when a planned channel cannot be used (domain/delivery/channels.ts).
   */
  async preferencesOf(customerIds: readonly string[]): Promise<Map<string, Pick<Customer, 'channels' | 'optOut'>>> {
    const items = await batchGet<{ pk: string; channels?: Customer['channels']; optOut?: boolean }>(
      this.client,
      this.graphTable,
      [...new Set(customerIds)].map((id) => ({ pk: `customer#${id}`, sk: 'profile' })),
      { projection: 'pk, channels, optOut' },
    );
    return new Map(items.map((i) => [i.pk.slice('customer#'.length), { channels: i.channels ?? ['email'], optOut: !!i.optOut }]));
  }

  /**
   * A GraphView for one assessment: the cached topology plus the usage shards of `touchpoints`.
   * Customer records carry no contacts (those live in the contacts table; notify reads them).
   */
  async view(touchpoints: readonly NodeId[]): Promise<GraphView> {
    const { topology } = await this.topology();
    const { usages, customers } = await this.usagesOf(touchpoints);
    return { ...topology, usagesOf: (t) => usages.get(t) ?? [], customer: (id) => customers.get(id) };
  }
}
