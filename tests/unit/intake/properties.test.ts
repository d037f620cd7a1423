import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../../functions/domain/events/index.ts';
import { INTAKE_MAPPERS, INTAKE_SOURCES, type IntakeOutcome, type IntakeSource } from '../../../functions/domain/intake/index.ts';
import { catalogOf, clone, fixture } from './given.ts';

const catalog = catalogOf(
  { id: 'payments-db', ci: ['a9c0c8d2c6112276018f7705562f9cb0'], services: ['PF9KMXH', 'b2c1-kiosk'], alerts: ['ProbeFailure'] },
  { id: 'ec2-east', awsHealth: [{ service: 'EC2' }] },
);
const config = { jira: { fields: { plannedStart: 'customfield_10015', plannedEnd: 'customfield_10016', affectedServices: 'customfield_10043' } } };

/** For each source, a payload that maps to events, so that mutations reach every branch of the mapper. */
const servicenow = clone(fixture('servicenow-change-request.json'));
Object.assign(servicenow.result, {
  state: { display_value: 'Implement', value: -1 },
  start_date: { value: '2026-12-05 02:00:00' },
  end_date: { value: '2026-12-05 04:00:00' },
  cmdb_ci: { value: 'a9c0c8d2c6112276018f7705562f9cb0', display_value: 'payments-db-01' },
});
const jira = clone(fixture('jira-issue-updated.json'));
Object.assign(jira.issue.fields, {
  status: { name: 'Implementing' },
  customfield_10015: '2026-12-05T03:00:00.000+0100',
  customfield_10016: '2026-12-05T05:00:00.000+0100',
  customfield_10043: [{ id: 'b2c1-kiosk' }],
});
const BASES: Record<IntakeSource, unknown> = {
  servicenow,
  jira,
  pagerduty: fixture('pagerduty-incident-priority-updated.json'),
  alertmanager: fixture('alertmanager-webhook.json'),
  'aws-health': fixture('aws-health-ec2-operational-issue.json'),
};

/** Every path of a JSON value (objects and arrays included), so a mutation can replace any part of it. */
const pathsOf = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
  if (!value || typeof value !== 'object') return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...prefix, k]))];
};

const setAt = (root: unknown, path: (string | number)[], replacement: unknown): unknown => {
  if (path.length === 0) return replacement;
  const copy = clone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]] = replacement;
  return copy;
};

/** Values a vendor might plausibly (or implausibly) send in any field. */
const vendorish = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    '',
    ' ',
    '0001-01-01T00:00:00Z',
    '2026-12-05 02:00:00',
    'Fri, 27 Jan 2023 06:02:51 GMT',
    '2026-13-45T99:99:99Z',
    'closed',
    'resolved',
    'firing',
    '-2',
    '4',
    'unsuccessful',
    '__proto__',
    'x'.repeat(5000),
  ),
  fc.integer(),
  fc.double(),
  fc.constant(null),
);

const mutated = (base: unknown) => {
  const paths = pathsOf(base);
  return fc.array(fc.tuple(fc.constantFrom(...paths), vendorish), { minLength: 1, maxLength: 3 }).map((edits) =>
    edits.reduce<unknown>((payload, [path, value]) => {
      try {
        return setAt(payload, path, value);
      } catch {
        return payload; // an earlier edit replaced a parent: this path no longer exists
      }
    }, base),
  );
};

const checkOutcome = (outcome: IntakeOutcome, source: IntakeSource) => {
  expect(outcome.source).toBe(source);
  switch (outcome.kind) {
    case 'events':
      expect(outcome.events.length).toBeGreaterThan(0);
      for (const event of outcome.events) expect(() => parseEvent(event)).not.toThrow();
      break;
    case 'refused':
      expect(outcome.issues.length).toBeGreaterThan(0);
      for (const issue of outcome.issues) expect(issue.field && issue.message).toBeTruthy();
      break;
    case 'ignored':
      expect(outcome.reason).toBeTruthy();
      break;
    default:
      throw new Error(`unexpected outcome ${JSON.stringify(outcome)}`);
  }
};

describe.each(INTAKE_SOURCES)('%s mapper on any input', (source) => {
  const map = INTAKE_MAPPERS[source];
  const run = (payload: unknown) => map(payload, { catalog, config });

  it('given its base payload, then events (so the mutations below start from the events path)', () => {
    expect(run(BASES[source]).kind).toBe('events');
  });

  it('given anything at all, then events, ignored or refused, never a throw', () => {
    fc.assert(
      fc.property(fc.anything(), (payload) => checkOutcome(run(payload), source)),
      { numRuns: 300 },
    );
  });

  it('given its base payload with any parts replaced, then every event still parses, and the same input gives the same outcome', () => {
    fc.assert(
      fc.property(mutated(BASES[source]), (payload) => {
        const outcome = run(payload);
        checkOutcome(outcome, source);
        expect(run(clone(payload))).toEqual(outcome);
      }),
      { numRuns: 400 },
    );
  });
});
