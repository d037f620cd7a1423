import { describe, expect, it } from 'vitest';
import { ALARM_DETAIL_TYPE, ALARM_SOURCE, DETAIL_TYPES, NOTICE_DUE_DETAIL_TYPE, PIPELINE_DETAIL_TYPES, PIPELINE_SOURCE } from '../../functions/domain/events/schemas.ts';
import { AWS_HEALTH_DETAIL_TYPE, AWS_HEALTH_SOURCE } from '../../functions/domain/intake/index.ts';
import { CONSOLE_SOURCE } from '../../functions/handlers/api/events.ts';
import { matchesPattern, routesFor } from '../../lib/routes.ts';

describe('lib/routes.ts: which events reach which function', () => {
  it('every detail-type of the event catalog reaches ingest, once, whoever sends it (the console included)', () => {
    for (const source of ['acme.changes', CONSOLE_SOURCE, PIPELINE_SOURCE]) {
      for (const detailType of DETAIL_TYPES) expect(routesFor('impact', { source, 'detail-type': detailType }), `${source} ${detailType}`).toEqual(['ingest']);
    }
    expect(routesFor('impact', { source: ALARM_SOURCE, 'detail-type': ALARM_DETAIL_TYPE })).toEqual(['ingest']);
    expect(routesFor('impact', { source: AWS_HEALTH_SOURCE, 'detail-type': AWS_HEALTH_DETAIL_TYPE })).toEqual(['ingest']);
  });

  it('intake\'s tools are producers like any other: their events reach ingest by detail-type', () => {
    for (const source of ['servicenow', 'jira', 'pagerduty', 'alertmanager']) {
      expect(routesFor('impact', { source, 'detail-type': 'Change Scheduled' }), source).toEqual(['ingest']);
      expect(routesFor('impact', { source, 'detail-type': 'Incident Resolved' }), source).toEqual(['ingest']);
    }
  });

  it('what the pipeline emits never loops back into ingest or remind', () => {
    for (const detailType of PIPELINE_DETAIL_TYPES) expect(routesFor('impact', { source: PIPELINE_SOURCE, 'detail-type': detailType }), detailType).toEqual([]);
  });

  it('scheduled notices reach remind only from the pipeline\'s own source: no producer can fire reminders', () => {
    expect(routesFor('impact', { source: PIPELINE_SOURCE, 'detail-type': NOTICE_DUE_DETAIL_TYPE })).toEqual(['remind']);
    expect(routesFor('impact', { source: 'acme.changes', 'detail-type': NOTICE_DUE_DETAIL_TYPE })).toEqual([]);
  });

  it('the default bus forwards CloudWatch\'s alarms, not a look-alike from another source', () => {
    expect(routesFor('default', { source: ALARM_SOURCE, 'detail-type': ALARM_DETAIL_TYPE })).toEqual(['forwardAlarms']);
    expect(routesFor('default', { source: 'acme', 'detail-type': ALARM_DETAIL_TYPE })).toEqual([]);
    expect(routesFor('default', { source: 'acme', 'detail-type': 'Change Scheduled' })).toEqual([]);
  });

  it('the default bus forwards AWS Health events (which only AWS can put there), not a look-alike', () => {
    expect(routesFor('default', { source: AWS_HEALTH_SOURCE, 'detail-type': AWS_HEALTH_DETAIL_TYPE })).toEqual(['forwardHealth']);
    expect(routesFor('default', { source: 'acme', 'detail-type': AWS_HEALTH_DETAIL_TYPE })).toEqual([]);
    expect(routesFor('default', { source: AWS_HEALTH_SOURCE, 'detail-type': 'AWS Health Abuse Event' })).toEqual([]);
  });

  it('matches as EventBridge does: values listed in arrays, nested objects, array-valued fields, missing fields never', () => {
    expect(matchesPattern({ detail: { state: { value: ['ALARM'] } } }, { detail: { state: { value: 'ALARM' } } })).toBe(true);
    expect(matchesPattern({ detail: { state: { value: ['ALARM'] } } }, { detail: { state: { value: 'OK' } } })).toBe(false);
    expect(matchesPattern({ detail: { state: { value: ['ALARM'] } } }, { detail: 'ALARM' })).toBe(false);
    expect(matchesPattern({ resources: ['arn:x'] }, { resources: ['arn:y', 'arn:x'] })).toBe(true);
    expect(matchesPattern({ source: ['a'] }, {})).toBe(false);
  });
});
