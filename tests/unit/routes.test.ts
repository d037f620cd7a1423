import { describe, expect, it } from 'vitest';
import { ROUTES, matchesPattern, routesFor } from '../../lib/routes.ts';

describe('lib/routes.ts', () => {
  it('routes every catalog event to ingest and scheduled notices to remind', () => {
    expect(routesFor('impact', { source: 'acme', 'detail-type': 'Change Scheduled' })).toEqual(['ingest']);
    expect(routesFor('impact', { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change' })).toEqual(['ingest']);
    expect(routesFor('impact', { source: 'impact.pipeline', 'detail-type': 'Notice Due' })).toEqual(['remind']);
    expect(routesFor('impact', { source: 'impact.pipeline', 'detail-type': 'Impact Assessed' })).toEqual([]);
    expect(routesFor('default', { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change' })).toEqual(['forwardAlarms']);
    expect(routesFor('default', { source: 'acme', 'detail-type': 'CloudWatch Alarm State Change' })).toEqual([]);
  });

  it('matches arrays, nested objects and array-valued fields', () => {
    expect(matchesPattern({ detail: { state: { value: ['ALARM'] } } }, { detail: { state: { value: 'ALARM' } } })).toBe(true);
    expect(matchesPattern({ detail: { state: { value: ['ALARM'] } } }, { detail: { state: { value: 'OK' } } })).toBe(false);
    expect(matchesPattern({ resources: ['arn:x'] }, { resources: ['arn:y', 'arn:x'] })).toBe(true);
    expect(matchesPattern({ source: ['a'] }, {})).toBe(false);
  });

  it('every route names a known target', () => {
    for (const route of Object.values(ROUTES)) expect(['ingest', 'remind', 'impact-bus']).toContain(route.target);
  });
});
