import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES, EventValidationError, parseAlarmEvent, parseEvent } from '../../../functions/domain/events/index.ts';

/** Near-valid events: the catalog's detail-types and field names with any values, so the schemas are reached. */
const field = fc.oneof(
  fc.jsonValue(),
  fc.string(),
  fc.constantFrom('2026-12-05T02:00:00Z', 'garbage', '', 'CHG-1', 'sev2', 'outage', '__proto__', 'constructor'),
);
const detail = fc.dictionary(
  fc.constantFrom(
    'changeId',
    'incidentId',
    'title',
    'window',
    'impacts',
    'severity',
    'status',
    'eventId',
    'occurredAt',
    'startedAt',
    'resolvedAt',
    'notify',
    'actor',
    '__proto__',
    'x',
  ),
  fc.oneof(field, fc.record({ start: field, end: field }), fc.array(fc.record({ node: field, effect: field }), { maxLength: 3 })),
  { maxKeys: 6 },
);
const envelope = fc.record(
  {
    'detail-type': fc.oneof(fc.constantFrom(...DETAIL_TYPES, 'CloudWatch Alarm State Change', 'Nope'), fc.jsonValue()),
    detail: fc.oneof(detail, fc.jsonValue()),
    source: fc.oneof(fc.string(), fc.jsonValue()),
    id: fc.oneof(fc.string(), fc.jsonValue()),
    time: field,
    'replay-name': fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('the event parser under any input', () => {
  it('gives an event or an EventValidationError naming fields, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(envelope, fc.jsonValue(), fc.anything()), fc.option(fc.integer(), { nil: undefined }), (raw, receivedAt) => {
        try {
          const event = parseEvent(raw, { receivedAt });
          expect(typeof event.eventId).toBe('string');
          expect(Number.isFinite(event.occurredAt)).toBe(true);
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(EventValidationError);
          const { issues } = error as EventValidationError;
          expect(issues.length).toBeGreaterThan(0);
          for (const issue of issues) expect([typeof issue.field, typeof issue.message]).toEqual(['string', 'string']);
        }
        try {
          parseAlarmEvent(raw, { receivedAt });
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(EventValidationError);
        }
      }),
      { numRuns: 1_500 },
    );
  });
});
