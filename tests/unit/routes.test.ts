import { describe, expect, it } from 'vitest';
import { noticeTags } from '../../functions/domain/delivery/receipts.ts';
import {
  ALARM_DETAIL_TYPE,
  ALARM_SOURCE,
  DETAIL_TYPES,
  NOTICE_DUE_DETAIL_TYPE,
  PIPELINE_DETAIL_TYPES,
  PIPELINE_SOURCE,
  RECEIPT_DETAIL_TYPES,
} from '../../functions/domain/events/schemas.ts';
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

  it("intake's tools are producers like any other: their events reach ingest by detail-type", () => {
    for (const source of ['servicenow', 'jira', 'pagerduty', 'alertmanager']) {
      expect(routesFor('impact', { source, 'detail-type': 'Change Scheduled' }), source).toEqual(['ingest']);
      expect(routesFor('impact', { source, 'detail-type': 'Incident Resolved' }), source).toEqual(['ingest']);
    }
  });

  it('what the pipeline emits never loops back into ingest or remind; its receipts reach receipts only', () => {
    for (const detailType of PIPELINE_DETAIL_TYPES) {
      const expected = (RECEIPT_DETAIL_TYPES as readonly string[]).includes(detailType) ? ['receipts'] : [];
      expect(routesFor('impact', { source: PIPELINE_SOURCE, 'detail-type': detailType }), detailType).toEqual(expected);
    }
    for (const detailType of RECEIPT_DETAIL_TYPES)
      expect(routesFor('impact', { source: 'acme', 'detail-type': detailType }), 'a producer cannot fake receipts').toEqual([]);
  });

  it('SES events of our notices are forwarded from the default bus to receipts; other SES mail of the account is not', () => {
    const tags = Object.fromEntries(noticeTags('incident#INC-1/C-1/incident-notice/1').map((t) => [t.Name, [t.Value]]));
    const ours = { source: 'aws.ses', 'detail-type': 'Email Bounced', detail: { eventType: 'Bounce', mail: { messageId: 'm', tags } } };
    const theirs = {
      source: 'aws.ses',
      'detail-type': 'Email Bounced',
      detail: { eventType: 'Bounce', mail: { messageId: 'm', tags: { 'ses:configuration-set': ['marketing'] } } },
    };
    expect(routesFor('default', ours)).toEqual(['forwardSesEvents']);
    expect(routesFor('impact', ours)).toEqual(['sesEvents']);
    expect(routesFor('default', theirs)).toEqual([]);
    expect(routesFor('default', { ...ours, 'detail-type': 'Email Opened' })).toEqual([]);
  });

  it("scheduled notices reach remind only from the pipeline's own source: no producer can fire reminders", () => {
    expect(routesFor('impact', { source: PIPELINE_SOURCE, 'detail-type': NOTICE_DUE_DETAIL_TYPE })).toEqual(['remind']);
    expect(routesFor('impact', { source: 'acme.changes', 'detail-type': NOTICE_DUE_DETAIL_TYPE })).toEqual([]);
  });

  it("the default bus forwards CloudWatch's alarms, not a look-alike from another source", () => {
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
    expect(matchesPattern({ detail: { tag: [{ exists: true }] } }, { detail: { tag: ['x'] } })).toBe(true);
    expect(matchesPattern({ detail: { tag: [{ exists: true }] } }, { detail: {} })).toBe(false);
    expect(matchesPattern({ detail: { tag: [{ exists: false }] } }, { detail: {} })).toBe(true);
  });
});
