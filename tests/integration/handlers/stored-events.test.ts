import { readFileSync } from 'node:fs';
import { DynamoDBClient, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { airlineSample } from '../../support/airline.ts';
import { localClientConfig } from '../../support/dynamodb.ts';
import { context, pipeline } from '../../support/pipeline.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/event-store/${name}`, import.meta.url), 'utf8'));
let restore: (() => void) | undefined;
afterAll(() => restore?.());

describe('events stored before schema versions still read as the current version', () => {
  it('given their stream records (NEW_IMAGE), when assess consumes them, then the subjects are projected from them', async () => {
    // Prepare: the old items in the event store, the graph they name.
    const p = await pipeline(() => Date.parse('2026-11-30T23:59:00Z'));
    restore = p.aws.restore;
    await p.deps.graph.import(await airlineSample(40));
    const raw = new DynamoDBClient(localClientConfig());
    for (const Item of fixture('v1-items.json') as Record<string, AttributeValue>[]) await raw.send(new PutItemCommand({ TableName: p.tables.events, Item }));
    raw.destroy();

    // Act: the stream records exactly as DynamoDB delivered them.
    const result = await p.assess({ Records: fixture('v1-stream-records.json') } as DynamoDBStreamEvent, context);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const change = await p.deps.projections.getSubject('change#CHG-2041');
    expect(change).toMatchObject({
      eventVersion: 2,
      state: { status: 'scheduled', scopeVersion: 2, window: { start: Date.parse('2026-12-06T02:00:00Z'), end: Date.parse('2026-12-06T04:30:00Z') } },
    });
    expect(change?.touchpoints.map((t) => t.id)).toContain('web-booking');
    const incident = await p.deps.projections.getSubject('incident#ALARM-dcs-5xx');
    expect(incident).toMatchObject({ eventVersion: 2, state: { status: 'resolved', severity: 'sev2' } });
  });
});
