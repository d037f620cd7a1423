/**
 * Item sizes as DynamoDB bills them (attribute names plus values, UTF-8), averaged per item class of
 * the impacts table over a sample scan: the per-item cost the capacity model (docs/capacity.md) uses.
 * Numbers are counted as 1 byte per two significant digits plus one, as DynamoDB documents.
 */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

const valueBytes = (v: AttributeValue): number => {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
  if (v.L) return 3 + v.L.reduce((n, x) => n + 1 + valueBytes(x), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + 1 + utf8(k) + valueBytes(x), 0);
  return 0;
};

export const itemBytes = (item: Record<string, AttributeValue>): number => Object.entries(item).reduce((n, [k, v]) => n + utf8(k) + valueBytes(v), 0);

/** `customer#…` + `ledger#…` -> `customer/ledger`: the class of an item by its key prefixes (`*` for an id). */
const prefix = (key: string | undefined) => {
  const head = (key ?? '').split('#')[0];
  return /^[a-z]+$/.test(head) ? head : '*';
};
const classOf = (item: Record<string, AttributeValue>) => `${prefix(item.pk?.S)}/${prefix(item.sk?.S)}`;

export const sampleItemSizes = async (client: DynamoDBClient, table: string, sample = 20_000) => {
  const classes = new Map<string, { items: number; bytes: number; max: number }>();
  let start: Record<string, AttributeValue> | undefined;
  let seen = 0;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, Limit: 1_000 }));
    for (const item of page.Items ?? []) {
      const c = classes.get(classOf(item)) ?? { items: 0, bytes: 0, max: 0 };
      const bytes = itemBytes(item);
      classes.set(classOf(item), { items: c.items + 1, bytes: c.bytes + bytes, max: Math.max(c.max, bytes) });
      seen++;
    }
    start = page.LastEvaluatedKey;
  } while (start && seen < sample);
  return Object.fromEntries([...classes].map(([k, c]) => [k, { sampled: c.items, avgBytes: Math.round(c.bytes / c.items), maxBytes: c.max }]));
};
