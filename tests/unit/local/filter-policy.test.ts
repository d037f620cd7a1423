import { describe, expect, it } from 'vitest';
import { matchesFilterPolicy } from '../../../lib/local/outbox.ts';

const attributes = { kind: 'change-notice', channel: 'sms', effect: 'outage', segment: 'gold', locale: 'nl', priority: '7' };

describe('local SNS filter policies (as SNS evaluates message attributes)', () => {
  it('exact values: any listed value matches; every key must match', () => {
    expect(matchesFilterPolicy({ channel: ['sms', 'email'] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ channel: ['email'] }, attributes)).toBe(false);
    expect(matchesFilterPolicy({ channel: ['sms'], effect: ['degraded'] }, attributes)).toBe(false);
    expect(matchesFilterPolicy(undefined, attributes)).toBe(true);
  });
  it('prefix, anything-but, exists and numeric ranges', () => {
    expect(matchesFilterPolicy({ kind: [{ prefix: 'change-' }] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ kind: [{ prefix: 'incident-' }] }, attributes)).toBe(false);
    expect(matchesFilterPolicy({ segment: [{ 'anything-but': ['basic'] }] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ segment: [{ 'anything-but': 'gold' }] }, attributes)).toBe(false);
    expect(matchesFilterPolicy({ team: [{ exists: false }] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ team: [{ exists: true }] }, attributes)).toBe(false);
    expect(matchesFilterPolicy({ priority: [{ numeric: ['>=', 5, '<', 10] }] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ priority: [{ numeric: ['>', 7] }] }, attributes)).toBe(false);
  });
});
