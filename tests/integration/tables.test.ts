import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { TABLES, TABLE_KEYS } from '../../lib/tables.ts';
import { freshTables, localClientConfig } from '../support/dynamodb.ts';

describe('lib/tables.ts in DynamoDB Local', () => {
  it('creates every table with its keys, index, stream and TTL', async () => {
    const { tables } = await freshTables();
    const raw = new DynamoDBClient(localClientConfig());
    for (const key of TABLE_KEYS) {
      const def = TABLES[key] as (typeof TABLES)[keyof typeof TABLES] & { sortKey?: { name: string }; stream?: string; timeToLiveAttribute?: string };
      const { Table } = await raw.send(new DescribeTableCommand({ TableName: tables[key] }));
      expect(Table?.KeySchema?.map((k) => k.AttributeName)).toEqual([def.partitionKey.name, ...(def.sortKey ? [def.sortKey.name] : [])]);
      expect(Table?.BillingModeSummary?.BillingMode ?? 'PAY_PER_REQUEST').toBe('PAY_PER_REQUEST');
      expect(Boolean(Table?.StreamSpecification?.StreamEnabled)).toBe(Boolean(def.stream));
      if (def.timeToLiveAttribute) {
        const ttl = await raw.send(new DescribeTimeToLiveCommand({ TableName: tables[key] }));
        expect(ttl.TimeToLiveDescription?.AttributeName).toBe(def.timeToLiveAttribute);
      }
    }
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: tables.impacts }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['bySubject', 'byEffectSegment']);
    raw.destroy();
  });
});
