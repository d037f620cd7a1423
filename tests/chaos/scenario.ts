/**
 * One chaos run's world, from its seed: a graph (files, as `npm start --graph` loads them), the events
 * of a few changes and an incident in waves, with a fault after each wave, and the notices those events
 * must produce, worked out independently with the pure what-if (domain/impact) over the same files.
 *
 * The events are chosen so that what must be sent does not depend on timing: first notices only (no
 * news, so no merge window), customers without quiet hours, windows in the future (no reminders or
 * cadence due during a run). Reordering and duplication are in the plan: a stale update of a change
 * (older than its opening event, sent before it), events resent with their eventId, waves shuffled.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../../examples/airline/generate.ts';
import { loadGraph } from '../../functions/adapters/graph-files.ts';
import { parseEvent } from '../../functions/domain/events/index.ts';
import { CUSTOMERS_CSV_HEADER, USAGE_CSV_HEADER } from '../../functions/domain/graph/index.ts';
import { assess } from '../../functions/domain/impact/assess.ts';
import { noticeId } from '../../functions/domain/notices/messages.ts';
import { foldSubject, subjectKey } from '../../functions/domain/subject.ts';

/** The faults a wave can end with (SDK throttling and failed entries run all the time, from IMPACT_CHAOS). */
export const KILLS = ['kill-ingest', 'kill-assess', 'kill-fan-out', 'kill-dynamodb'] as const;
export type Kill = (typeof KILLS)[number];

export interface PlannedEvent {
  detailType: string;
  detail: Record<string, unknown> & { eventId: string };
  source: string;
  /** Sent before: this is a resend with the same eventId (a producer retrying, EventBridge redelivering). */
  resend?: boolean;
  /** Its occurredAt is before events of its subject that are sent earlier. */
  stale?: boolean;
}

export interface Wave {
  events: PlannedEvent[];
  kill: Kill;
  /** The subjects whose notices this wave starts (what a kill mid-fan-out waits for). */
  subjects: string[];
}

export interface Scenario {
  seed: number;
  files: { graph: string; customers: string; usage: string };
  waves: Wave[];
  /** noticeIds the run must produce, each exactly once. */
  expected: Set<string>;
  customers: number;
}

const SOURCE = 'acme.change-management';
const HOUR = 3_600_000;

const graphYaml = `components:
  - { id: db-0, team: payments }
  - { id: db-1, team: identity }
  - { id: db-2, team: loyalty }
  - { id: db-3, team: booking }
  - { id: net-0, team: airport-ops }
  - { id: api-0, team: digital, dependsOn: [db-0, { id: db-1, type: soft }] }
touchpoints:
  - { id: tp-0, channel: web, team: digital, dependsOn: [api-0] }
  - { id: tp-1, channel: mobile, team: digital, dependsOn: [api-0] }
  - { id: tp-2, channel: web, team: identity, dependsOn: [db-1] }
  - { id: tp-3, channel: mobile, team: loyalty, dependsOn: [db-2] }
  - { id: tp-4, channel: api, team: booking, dependsOn: [db-3] }
  - { id: tp-5, channel: contact-center, team: booking, dependsOn: [db-3] }
  - { id: tp-6, channel: kiosk, team: airport-ops, dependsOn: [net-0] }
  - { id: tp-7, channel: kiosk, team: airport-ops, dependsOn: [{ anyOf: [net-0, db-2] }] }
notificationChannels:
  - { channel: email }
  - { channel: sms }
`;

const iso = (ms: number) => new Date(ms).toISOString();

/** Writes the run's files into `dir` and plans its waves; the expected notices come from the what-if. */
export const scenario = async (seed: number, dir: string, customers: number): Promise<Scenario> => {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const files = { graph: join(dir, 'graph.yaml'), customers: join(dir, 'customers.csv'), usage: join(dir, 'usage.csv') };
  const windowStart = Date.parse('2030-03-01T02:00:00Z');
  writeFileSync(files.graph, graphYaml);
  const customerRows: string[] = [];
  const usageRows: string[] = [];
  for (let i = 0; i < customers; i++) {
    const id = `C-${String(i).padStart(5, '0')}`;
    const kind = random();
    // Most can be told; some opted out, some prefer SMS without a phone (affected, unreachable).
    const [email, phone, channels, optOut] =
      kind < 0.05
        ? [`c${i}@example.com`, '', 'email', 'true']
        : kind < 0.1
          ? ['', '', 'sms', 'false']
          : kind < 0.2
            ? ['', `+3160${String(i).padStart(7, '0')}`, 'sms|email', 'false']
            : [`c${i}@example.com`, '', 'email', 'false'];
    customerRows.push(`${id},basic,en-GB,Europe/Amsterdam,${email},${phone},,${channels},${optOut},,`);
    usageRows.push(`${id},tp-${int(8)},,`);
    if (random() < 0.5) usageRows.push(`${id},tp-${int(8)},,`);
    // A booking: inside some change windows, outside others.
    if (random() < 0.3) {
      const day = int(4);
      usageRows.push(`${id},tp-${int(8)},${iso(windowStart + day * 24 * HOUR - 2 * HOUR)},${iso(windowStart + day * 24 * HOUR + HOUR)}`);
    }
  }
  writeFileSync(files.customers, `${CUSTOMERS_CSV_HEADER.join(',')}\n${customerRows.join('\n')}\n`);
  writeFileSync(files.usage, `${USAGE_CSV_HEADER.join(',')}\n${usageRows.join('\n')}\n`);

  const opened = Date.now() - HOUR;
  const change = (n: number, nodes: string[], day: number, minutes = 0): PlannedEvent => ({
    detailType: 'Change Scheduled',
    source: SOURCE,
    detail: {
      eventId: `chaos-${seed}-chg-${n}`,
      occurredAt: iso(opened + n * 60_000 + minutes * 60_000),
      changeId: `CHG-${n}`,
      title: `Maintenance ${n}`,
      window: { start: iso(windowStart + day * 24 * HOUR), end: iso(windowStart + day * 24 * HOUR + 2 * HOUR) },
      impacts: nodes.map((node) => ({ node })),
    },
  });
  // Older than CHG-0's opening: the fold must leave CHG-0's window and impacts as scheduled.
  const staleUpdate: PlannedEvent = {
    detailType: 'Change Updated',
    source: SOURCE,
    stale: true,
    detail: {
      eventId: `chaos-${seed}-chg-0-stale`,
      occurredAt: iso(opened - 30 * 60_000),
      changeId: 'CHG-0',
      window: { start: iso(windowStart + 9 * 24 * HOUR), end: iso(windowStart + 9 * 24 * HOUR + HOUR) },
      impacts: [{ node: 'net-0' }],
    },
  };
  const incident: PlannedEvent = {
    detailType: 'Incident Opened',
    source: 'acme.incident-management',
    detail: {
      eventId: `chaos-${seed}-inc-0`,
      occurredAt: iso(opened + 10 * 60_000),
      incidentId: 'INC-0',
      title: 'Booking errors',
      severity: 'sev2',
      impacts: [{ node: 'db-3' }],
    },
  };
  const chg0 = change(0, ['db-0'], 0);
  const chg1 = change(1, ['db-1', 'db-2'], 1);
  const chg2 = change(2, ['net-0'], 2);
  const resend = (e: PlannedEvent): PlannedEvent => ({ ...e, resend: true });
  const shuffled = <T>(list: T[]): T[] =>
    list
      .map((v) => ({ v, k: random() }))
      .sort((a, b) => a.k - b.k)
      .map(({ v }) => v);
  // Every kill once per run; the last wave (resends only, no fan-out of its own) gets one that needs none.
  const [last, other]: Kill[] = random() < 0.5 ? ['kill-ingest', 'kill-dynamodb'] : ['kill-dynamodb', 'kill-ingest'];
  const kills = [...shuffled<Kill>(['kill-assess', 'kill-fan-out', other]), last];
  const waves: Wave[] = [
    { events: [staleUpdate, chg0], kill: kills[0], subjects: ['change#CHG-0'] },
    { events: shuffled([chg1, incident]), kill: kills[1], subjects: ['change#CHG-1', 'incident#INC-0'] },
    { events: shuffled([chg2, resend(chg1)]), kill: kills[2], subjects: ['change#CHG-2'] },
    { events: shuffled([resend(incident), resend(staleUpdate), resend(chg0)]), kill: kills[3], subjects: [] },
  ];

  // What must be sent: the what-if of each subject's events, over the same files.
  const { graph } = await loadGraph({ graphFiles: [files.graph], customersCsv: files.customers, usageCsv: files.usage });
  const bySubject = new Map<string, ReturnType<typeof parseEvent>[]>();
  for (const e of waves.flatMap((w) => w.events)) {
    const event = parseEvent({ 'detail-type': e.detailType, source: e.source, detail: e.detail });
    bySubject.set(subjectKey(event), [...(bySubject.get(subjectKey(event)) ?? []), event]);
  }
  const expected = new Set<string>();
  for (const [key, events] of bySubject) {
    const state = foldSubject(events);
    const kind = state.type === 'change' ? 'change-notice' : 'incident-notice';
    for (const c of assess(graph, state).customers)
      if (c.notify.length > 0) expected.add(noticeId({ subjectKey: key, customerId: c.id, kind, version: state.scopeVersion }));
  }
  return { seed, files, waves, expected, customers };
};
