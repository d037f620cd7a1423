/**
 * Quiet hours that hold for updates, and several notices within minutes merged into one, through the
 * real handlers: two customers of one kiosk, one asleep (22:00-07:00 in Amsterdam), one without quiet hours.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from 'aws-lambda';
import { context, noticesOf, pipeline } from '../../support/pipeline.ts';
import { graphOf } from '../../support/graphs.ts';
import { busEvent } from '../../support/events.ts';

const MINUTE = 60_000;
const NIGHT = Date.parse('2026-12-05T22:30:00Z'); // 23:30 in Amsterdam
const MORNING = Date.parse('2026-12-06T06:00:00Z'); // 07:00 in Amsterdam
const iso = (ms: number) => new Date(ms).toISOString();
const ev = (detailType: string, detail: Record<string, unknown>, at: number) =>
  busEvent(detailType, { occurredAt: iso(at), ...detail }, { id: `eb-${String(detail.eventId)}`, source: 'acme.incidents', at: at });

const graph = graphOf({
  components: [{ id: 'kiosk-db' }],
  touchpoints: [{ id: 'kiosk', name: 'Check-in kiosks', channel: 'kiosk', dependsOn: ['kiosk-db'] }],
  customers: [
    {
      id: 'C-SLEEP',
      locale: 'en-GB',
      timeZone: 'Europe/Amsterdam',
      contacts: { email: 'sleep@example.com' },
      quietHours: { start: '22:00', end: '07:00' },
      uses: ['kiosk'],
    },
    { id: 'C-AWAKE', locale: 'en-GB', timeZone: 'Europe/Amsterdam', contacts: { email: 'awake@example.com' }, uses: ['kiosk'] },
  ],
});

let restore: (() => void) | undefined;
afterEach(() => restore?.());
const setup = async (start: number) => {
  let clock = start;
  const p = await pipeline(() => clock);
  restore = p.aws.restore;
  await p.deps.graph.import(graph);
  return {
    ...p,
    /** Ingests the events at the current clock time and drains what is due. */
    send: async (...events: EventBridgeEvent<string, unknown>[]) => {
      for (const e of events) await p.ingest(e, context);
      expect(await p.drain()).toBe(0);
    },
    /** Moves the clock to `at` and drains what has become due. */
    at: async (at: number) => {
      clock = at;
      expect(await p.drain()).toBe(0);
    },
    told: (customerId: string) =>
      noticesOf(p.aws)
        .filter((n) => n.customerId === customerId)
        .map((n) => n.kind),
    last: (customerId: string) =>
      noticesOf(p.aws)
        .filter((n) => n.customerId === customerId)
        .at(-1),
  };
};
const opened = (effect: 'outage' | 'degraded', at: number) =>
  ev('Incident Opened', { incidentId: 'INC-K', eventId: 'k-open', title: 'Kiosks down', severity: 'sev2', impacts: [{ node: 'kiosk-db', effect }] }, at);

describe('quiet hours hold for updates; notices within minutes go out as one', () => {
  it('given an outage at night, then both hear at once; two updates minutes later reach the one awake once (the latest) and the sleeper once in the morning', async () => {
    const p = await setup(NIGHT);
    // Given: the first notice of an outage wakes even the sleeper.
    await p.send(opened('outage', NIGHT));
    expect([p.told('C-SLEEP'), p.told('C-AWAKE')]).toEqual([['incident-notice'], ['incident-notice']]);

    // When: two new messages within three minutes.
    await p.at(NIGHT + MINUTE);
    await p.send(ev('Incident Updated', { incidentId: 'INC-K', eventId: 'k-u1', customerMessage: 'Use the app to check in.' }, NIGHT + MINUTE));
    await p.at(NIGHT + 3 * MINUTE);
    await p.send(ev('Incident Updated', { incidentId: 'INC-K', eventId: 'k-u2', customerMessage: 'Use the app or the desks.' }, NIGHT + 3 * MINUTE));
    expect(noticesOf(p.aws)).toHaveLength(2);

    // Then: after the merge window, the one awake gets one update with the latest message.
    await p.at(NIGHT + 6 * MINUTE);
    expect(p.told('C-AWAKE')).toEqual(['incident-notice', 'incident-update']);
    expect(p.last('C-AWAKE')?.text).toContain('Use the app or the desks.');
    expect(p.told('C-SLEEP')).toEqual(['incident-notice']);

    // And the sleeper gets the same single update at 07:00 their time.
    await p.at(MORNING);
    expect(p.told('C-SLEEP')).toEqual(['incident-notice', 'incident-update']);
    expect(p.last('C-SLEEP')?.text).toContain('Use the app or the desks.');
  });

  it('given the sleeper was told of a slowdown, then an update that makes it an outage wakes them; the next one that only repeats it waits', async () => {
    const evening = Date.parse('2026-12-05T20:00:00Z'); // 21:00 in Amsterdam
    const p = await setup(evening);
    await p.send(opened('degraded', evening));
    expect(p.told('C-SLEEP')).toEqual(['incident-notice']);

    await p.at(NIGHT);
    await p.send(
      ev('Incident Updated', { incidentId: 'INC-K', eventId: 'k-worse', status: 'identified', impacts: [{ node: 'kiosk-db', effect: 'outage' }] }, NIGHT),
    );
    expect(p.told('C-SLEEP')).toEqual(['incident-notice', 'incident-update']);

    await p.at(NIGHT + 30 * MINUTE);
    await p.send(ev('Incident Updated', { incidentId: 'INC-K', eventId: 'k-same', customerMessage: 'Still working on it.' }, NIGHT + 30 * MINUTE));
    expect(p.told('C-SLEEP')).toEqual(['incident-notice', 'incident-update']);
    expect(p.told('C-AWAKE')).toEqual(['incident-notice', 'incident-update', 'incident-update']);
    await p.at(MORNING);
    expect(p.told('C-SLEEP')).toEqual(['incident-notice', 'incident-update', 'incident-update']);
  });

  it('given the incident ends at night, then whoever was told of an outage hears it at once', async () => {
    const p = await setup(NIGHT);
    await p.send(opened('outage', NIGHT));
    await p.at(NIGHT + 20 * MINUTE);
    await p.send(ev('Incident Resolved', { incidentId: 'INC-K', eventId: 'k-done' }, NIGHT + 20 * MINUTE));
    expect(p.told('C-SLEEP')).toEqual(['incident-notice', 'incident-resolved']);
  });
});
