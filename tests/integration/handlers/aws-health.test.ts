/**
 * AWS Health events through ingest, as the forwarding rule delivers them: mapped on the nodes that list the
 * service and region under `awsHealth` (examples/airline: mobile-backend runs on EC2 in eu-west-1).
 */
import { readFileSync } from 'node:fs';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEvent } from '../../../functions/domain/events/index.ts';
import { assess } from '../../../functions/domain/impact/assess.ts';
import { historyEntry } from '../../../functions/domain/events/stored.ts';
import { mapAwsHealth } from '../../../functions/domain/intake/index.ts';
import { buildIntakeCatalog } from '../../../functions/domain/intake/catalog.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { airlineSample } from '../../support/airline.ts';
import { context, noticesOf, pipeline } from '../../support/pipeline.ts';

const NOW = Date.parse('2026-11-28T14:00:00Z');
const documented = JSON.parse(readFileSync(new URL('../../fixtures/intake/aws-health-ec2-operational-issue.json', import.meta.url), 'utf8'));

/** AWS's documented EC2 operational issue, in the airline's region, as it is open now. */
const issue = (over: Record<string, unknown> = {}, region = 'eu-west-1') => {
  const e = structuredClone(documented);
  e.region = region;
  e.detail.eventRegion = region;
  e.detail.eventArn = e.detail.eventArn.replace('af-south-1', region);
  Object.assign(e.detail, { startTime: 'Sat, 28 Nov 2026 13:40:00 GMT', lastUpdatedTime: 'Sat, 28 Nov 2026 13:45:00 GMT', endTime: undefined }, over);
  return e as EventBridgeEvent<string, unknown>;
};

const setup = async () => {
  const p = await pipeline(() => NOW);
  const graph = await airlineSample(60);
  await p.deps.graph.import(graph);
  return { ...p, graph };
};

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe('ingest: AWS Health events', () => {
  it('an open EC2 issue in eu-west-1 opens an incident on the nodes listing it; its customers are told once, whatever the redeliveries', async () => {
    // Prepare
    const p = await setup();
    restore = p.aws.restore;
    // Act: EventBridge delivers at least once; AWS also sends a copy to the backup region's bus.
    await p.ingest(issue(), context);
    await p.ingest({ ...issue(), id: 'another-delivery' }, context);
    expect(await p.drain()).toBe(0);
    // Assess
    const stored = await p.deps.events.readSubject('incident#HEALTH-eu-west-1-AWS_EC2_OPERATIONAL_ISSUE_7f35c8ae-af1f-54e6-a526-d0179ed6d68f');
    expect(stored).toHaveLength(1);
    expect(historyEntry(stored[0])).toMatchObject({
      detailType: 'Incident Opened',
      source: 'aws.health',
      actor: { type: 'tool', source: 'aws.health', id: 'account:123456789012', name: 'AWS Health' },
    });
    expect(stored[0].event.detail).toMatchObject({ severity: 'sev2', impacts: [{ node: 'mobile-backend', effect: 'degraded' }] });
    // Who must hear: the pure what-if over the mapper's own events, not read back from the pipeline.
    const outcome = mapAwsHealth(issue(), { catalog: buildIntakeCatalog([...p.graph.components.values(), ...p.graph.touchpoints.values()]) });
    if (outcome.kind !== 'events') throw new Error('expected events');
    const expected = assess(p.graph, foldSubject(outcome.events.map((e) => parseEvent(e))))
      .customers.filter((c) => c.notify.length > 0)
      .map((c) => c.id)
      .sort();
    const notices = noticesOf(p.aws);
    expect(expected.length).toBeGreaterThan(0);
    expect(notices.map((n) => n.customerId).sort()).toEqual(expected);
    expect(new Set(notices.map((n) => n.kind))).toEqual(new Set(['incident-notice']));
  });

  it('closed resolves the incident it opened: the resolution reaches everyone told', async () => {
    const p = await setup();
    restore = p.aws.restore;
    await p.ingest(issue(), context);
    await p.drain();
    const told = noticesOf(p.aws)
      .map((n) => n.customerId)
      .sort();
    await p.ingest(issue({ statusCode: 'closed', lastUpdatedTime: 'Sat, 28 Nov 2026 14:30:00 GMT', endTime: 'Sat, 28 Nov 2026 14:25:00 GMT' }), context);
    expect(await p.drain()).toBe(0);
    const resolved = noticesOf(p.aws).filter((n) => n.kind === 'incident-resolved');
    expect(resolved.map((n) => n.customerId).sort()).toEqual(told);
  });

  it('an issue of a service no node lists is recorded as a rejection naming the unknown service and region, and emitted as Event Rejected', async () => {
    const p = await setup();
    restore = p.aws.restore;
    const result = await p.ingest(issue({}, 'ap-southeast-2'), context);
    expect(result).toMatchObject({ appended: 0, rejected: 1 });
    const [rejection] = await p.deps.projections.rejectionsOn('2026-11-28');
    expect(rejection).toMatchObject({
      source: 'aws-health',
      code: 'unknown-names',
      detailType: 'AWS Health Event',
      eventId: documented.id,
      unknownNames: [{ kind: 'awsHealth', value: 'EC2 in ap-southeast-2' }],
      reasons: [
        expect.stringMatching(
          /^detail\.service: names nothing known to the graph \("EC2 in ap-southeast-2"\); list \{ service: EC2, region: ap-southeast-2 \} under `awsHealth`/,
        ),
      ],
    });
    expect(p.aws.events.find((e) => e.detailType === 'Event Rejected')?.detail).toMatchObject({ source: 'aws-health', code: 'unknown-names' });
  });

  it('an account notification is ignored: nothing stored, nothing rejected', async () => {
    const p = await setup();
    restore = p.aws.restore;
    const result = await p.ingest(
      issue({ eventTypeCategory: 'accountNotification', eventTypeCode: 'AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED' }),
      context,
    );
    expect(result).toEqual({ appended: 0, duplicates: 0, rejected: 0 });
    expect(await p.deps.projections.rejectionsOn('2026-11-28')).toEqual([]);
  });
});
