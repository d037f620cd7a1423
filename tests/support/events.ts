/** Builders of raw EventBridge events for tests (fixed times, no clocks). */
import type { EventBridgeEvent } from 'aws-lambda';
import { expect } from 'vitest';
import { EventValidationError, parseEvent, type EventIssue } from '../../functions/domain/events/index.ts';

export const T0 = Date.parse('2026-12-05T00:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString();
export const HOUR = 3_600_000;

export const rawEvent = (detailType: string, detail: Record<string, unknown>, envelope: Record<string, unknown> = {}) => ({
  version: '0',
  id: `eb-${detailType.replace(/\s/g, '-')}-${JSON.stringify(detail).length}`,
  'detail-type': detailType,
  source: 'test.producer',
  account: '123456789012',
  time: iso(T0),
  region: 'eu-west-1',
  resources: [],
  detail,
  ...envelope,
});

/** An event as an EventBridge target (ingest) receives it, from `source` at `at`. */
export const busEvent = (
  detailType: string,
  detail: Record<string, unknown>,
  envelope: { id: string; source: string; at: number },
): EventBridgeEvent<string, unknown> =>
  rawEvent(detailType, detail, { id: envelope.id, source: envelope.source, time: iso(envelope.at) }) as EventBridgeEvent<string, unknown>;

export const changeScheduled = (over: Record<string, unknown> = {}) =>
  rawEvent('Change Scheduled', {
    changeId: 'CHG-1',
    title: 'Payments database maintenance',
    window: { start: iso(T0 + 2 * HOUR), end: iso(T0 + 4 * HOUR) },
    impacts: [{ node: 'payments-db' }],
    eventId: 'e-sched',
    occurredAt: iso(T0),
    ...over,
  });

/** The problems parseEvent names for a raw event it must refuse (fails the test when it accepts it). */
export const issuesOf = (raw: unknown): EventIssue[] => {
  try {
    parseEvent(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return (error as EventValidationError).issues;
  }
  throw new Error('expected the event to be rejected');
};
