import { describe, expect, it } from 'vitest';
import { mapPagerDuty } from '../../../functions/domain/intake/index.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { catalogOf, clone, eventsOf, fixture, ignoredReason, parsedOf, refusalOf } from './given.ts';

const documented = fixture('pagerduty-incident-priority-updated.json');
const catalog = catalogOf({ id: 'payments-api', services: ['PF9KMXH'] }, { id: 'web-checkout', services: ['Web Checkout'] });
const context = { catalog };

/** The documented webhook as another event type, at another time, with its own event id. */
const webhook = (eventType: string, id: string, occurredAt: string, data: Record<string, unknown> = {}) => {
  const hook = clone(documented);
  Object.assign(hook.event, { event_type: eventType, id, occurred_at: occurredAt });
  Object.assign(hook.event.data, data);
  return hook;
};

describe('PagerDuty: the documented webhook', () => {
  it('given incident.priority_updated to P1 on a known service, then Incident Updated sev1 on its node, with the agent as actor', () => {
    const [event] = eventsOf(mapPagerDuty(documented, context));
    expect(event).toEqual({
      'detail-type': 'Incident Updated',
      source: 'pagerduty',
      time: '2020-10-02T18:45:22.169Z',
      detail: {
        eventId: 'pagerduty:5ac64822-4adc-4fda-ade0-410becf0de4f',
        occurredAt: '2020-10-02T18:45:22.169Z',
        actor: { type: 'tool', source: 'pagerduty', id: 'PLH1HKV', name: 'Tenex Engineer' },
        incidentId: 'PD-PGR0VU2',
        severity: 'sev1',
        impacts: [{ node: 'payments-api', effect: 'outage' }],
      },
    });
  });

  it('given the same webhook delivered twice, then one event id', () => {
    expect(eventsOf(mapPagerDuty(clone(documented), context))[0].detail.eventId).toBe(eventsOf(mapPagerDuty(documented, context))[0].detail.eventId);
  });
});

describe("PagerDuty: an incident's life", () => {
  const triggered = webhook('incident.triggered', 'e1', '2026-12-05T10:00:05Z', { created_at: '2026-12-05T10:00:00Z' });
  const acknowledged = webhook('incident.acknowledged', 'e2', '2026-12-05T10:03:00Z');
  const resolved = webhook('incident.resolved', 'e3', '2026-12-05T11:00:00Z');
  const reopened = webhook('incident.reopened', 'e4', '2026-12-05T12:00:00Z');

  it('given triggered, acknowledged and resolved (in any order), then the incident opens, is investigated and is resolved', () => {
    const events = [resolved, triggered, acknowledged].flatMap((w) => parsedOf(mapPagerDuty(w, context)));
    expect(events.map((e) => e.detailType).sort()).toEqual(['Incident Opened', 'Incident Resolved', 'Incident Updated']);
    const opened = events.find((e) => e.detailType === 'Incident Opened');
    expect(opened?.detail).toMatchObject({ title: 'A little bump in the road', severity: 'sev1', startedAt: '2026-12-05T10:00:00.000Z' });
    expect(events.find((e) => e.detailType === 'Incident Updated')?.detail).toMatchObject({ status: 'investigating' });
    expect(foldSubject(events)).toMatchObject({
      id: 'PD-PGR0VU2',
      status: 'resolved',
      window: { start: Date.parse('2026-12-05T10:00:00Z'), end: Date.parse('2026-12-05T11:00:00Z') },
    });
  });

  it('given a reopen after the resolution, then the incident is open again from the reopen', () => {
    const events = [triggered, resolved, reopened].flatMap((w) => parsedOf(mapPagerDuty(w, context)));
    expect(foldSubject(events)).toMatchObject({ status: 'open', window: { start: Date.parse('2026-12-05T12:00:00Z') } });
  });

  it('given a resolution for a service no node lists, then it still resolves (closing needs no names)', () => {
    const unknown = webhook('incident.resolved', 'e5', '2026-12-05T11:00:00Z', { service: { id: 'PZZZZZZ', summary: 'Legacy' } });
    expect(parsedOf(mapPagerDuty(unknown, context))[0]).toMatchObject({ detailType: 'Incident Resolved', detail: { resolvedAt: '2026-12-05T11:00:00.000Z' } });
  });
});

describe('PagerDuty: severity and effect', () => {
  it('given no priority, then the urgency decides (high sev2, low sev3)', () => {
    const high = webhook('incident.triggered', 'u1', '2026-12-05T10:00:00Z', { priority: null, urgency: 'high' });
    const low = webhook('incident.triggered', 'u2', '2026-12-05T10:00:00Z', { priority: null, urgency: 'low' });
    expect(eventsOf(mapPagerDuty(high, context))[0].detail).toMatchObject({ severity: 'sev2' });
    expect(eventsOf(mapPagerDuty(low, context))[0].detail).toMatchObject({ severity: 'sev3' });
  });

  it('given a severity mapping in config, it is merged over the defaults; a per-node severity and effect win', () => {
    const config = { pagerduty: { severity: { P1: 'sev2' as const }, perNode: { 'payments-api': { effect: 'degraded' as const } } } };
    expect(eventsOf(mapPagerDuty(documented, { catalog, config }))[0].detail).toMatchObject({
      severity: 'sev2',
      impacts: [{ node: 'payments-api', effect: 'degraded' }],
    });
    const p3 = webhook('incident.triggered', 'p3', '2026-12-05T10:00:00Z', { priority: { summary: 'P3' } });
    expect(eventsOf(mapPagerDuty(p3, { catalog, config }))[0].detail).toMatchObject({ severity: 'sev3' });
    const pinned = { pagerduty: { perNode: { 'payments-api': { severity: 'sev1' as const } } } };
    expect(eventsOf(mapPagerDuty(p3, { catalog, config: pinned }))[0].detail).toMatchObject({ severity: 'sev1' });
  });
});

describe('PagerDuty: names', () => {
  it('given a service named by its name instead of its id, then it matches', () => {
    const byName = webhook('incident.triggered', 'n1', '2026-12-05T10:00:00Z', { service: { id: 'PXXXXXX', summary: 'web checkout' } });
    expect(eventsOf(mapPagerDuty(byName, context))[0].detail).toMatchObject({ impacts: [{ node: 'web-checkout' }] });
  });

  it('given a service no node lists, then it is refused with its name and id', () => {
    const outcome = refusalOf(mapPagerDuty(documented, { catalog: catalogOf({ id: 'other', services: ['PABCDEF'] }) }));
    expect(outcome).toMatchObject({ code: 'unknown-names', unknownNames: [{ kind: 'service', value: 'API Service (PF9KMXH)' }] });
    expect(outcome.issues[0]).toMatchObject({ field: 'event.data.service', message: expect.stringMatching(/under `services`/) });
  });
});

describe('PagerDuty: ignored and refused', () => {
  it.each(['incident.annotated', 'incident.escalated', 'service.updated', 'pagey.ping'])('given %s, then it is ignored', (type) => {
    expect(ignoredReason(mapPagerDuty(webhook(type, 'i1', '2026-12-05T10:00:00Z'), context))).toContain(type);
  });

  it('given no event id and an unreadable time, then the fields are named', () => {
    const noId = clone(documented);
    delete noId.event.id;
    expect(refusalOf(mapPagerDuty(noId, context)).issues[0]).toMatchObject({ field: 'event.id', message: expect.stringMatching(/unique id/) });
    const badTime = webhook('incident.triggered', 't1', 'yesterday');
    expect(refusalOf(mapPagerDuty(badTime, context)).issues).toEqual([{ field: 'event.occurred_at', message: expect.stringMatching(/\(got "yesterday"\)/) }]);
  });

  it('given an incident event without its incident, then event.data is named', () => {
    const bare = webhook('incident.triggered', 'd1', '2026-12-05T10:00:00Z');
    bare.event.data = null;
    expect(refusalOf(mapPagerDuty(bare, context)).issues[0]).toMatchObject({ field: 'event.data' });
  });
});
