import { describe, expect, it } from 'vitest';
import {
  buildIntakeCatalog,
  checkIntakeConfig,
  nodesByAlert,
  nodesByAwsHealth,
  nodesByCi,
  nodesByService,
  severityFor,
  severityOnNodes,
  validateIntakeNames,
} from '../../../functions/domain/intake/index.ts';

describe('node names in the tools', () => {
  const catalog = buildIntakeCatalog([
    { id: 'payments-db', ci: ['a9c0c8d2', 'Payments DB 01'], alerts: ['DiskFull', { alertname: 'HighLatency', service: 'payments' }] },
    { id: 'payments-api', services: ['PF9KMXH', 'Payments API'], alerts: [{ service: 'payments' }] },
    { id: 'rds-eu', awsHealth: [{ service: 'RDS', region: 'eu-west-1' }] },
  ]);

  it('given CI refs by sys_id or name, then they match case-insensitively and the rest is reported', () => {
    expect(nodesByCi(catalog, [['A9C0C8D2'], ['x1', ' payments db 01 '], ['z9', 'mainframe']])).toEqual({
      nodes: ['payments-db'],
      unknown: ['mainframe (z9)'],
    });
  });

  it('given a service by id, then its node', () => {
    expect(nodesByService(catalog, [['PF9KMXH', 'renamed in PagerDuty']]).nodes).toEqual(['payments-api']);
  });

  it("given an alert, then every node whose matcher labels are all equal to the alert's", () => {
    expect(nodesByAlert(catalog, { alertname: 'HighLatency', service: 'payments', pod: 'p-1' })).toEqual(['payments-api', 'payments-db']);
    expect(nodesByAlert(catalog, { alertname: 'HighLatency', service: 'search' })).toEqual([]);
    expect(nodesByAlert(catalog, { alertname: 'DiskFull' })).toEqual(['payments-db']);
    // Label values compare exactly, as Alertmanager matchers do.
    expect(nodesByAlert(catalog, { alertname: 'diskfull' })).toEqual([]);
  });

  it('given an AWS Health service and region, then the nodes listing both', () => {
    expect(nodesByAwsHealth(catalog, 'rds', 'EU-WEST-1')).toEqual(['rds-eu']);
    expect(nodesByAwsHealth(catalog, 'RDS', 'us-east-1')).toEqual([]);
  });
});

describe('validating node names (for impact graph validate)', () => {
  it('given well-formed names, then no problems', () => {
    const doc = {
      components: [
        {
          id: 'a',
          ci: ['x'],
          services: ['P1'],
          alerts: ['DiskFull', { alertname: 'A', instance: 'h:9100' }],
          awsHealth: [{ service: 'EC2' }, { service: 'RDS', region: 'eu-west-1' }],
        },
      ],
      touchpoints: [{ id: 'web', channel: 'web', alerts: [{ job: 'web' }] }],
    };
    expect(validateIntakeNames(doc)).toEqual([]);
  });

  it('given bad names, then every problem names its path, the bad value and the fix', () => {
    const doc = {
      components: [
        { id: 'a', ci: 'x', alerts: [{ 'bad-label': 'v' }, ''] },
        { id: 'b', awsHealth: [{ service: 'EC2', region: 'Ireland' }, { region: 'eu-west-1' }, { service: 'S3', zone: 'a' }] },
      ],
      touchpoints: [{ id: 'web', services: [42] }],
    };
    const problems = validateIntakeNames(doc);
    expect(problems).toEqual([
      { path: 'components[0].ci', id: 'a', value: 'x', message: expect.stringMatching(/list of ServiceNow CI sys_ids or names/) },
      { path: 'components[0].alerts[0]', id: 'a', value: { 'bad-label': 'v' }, message: expect.stringMatching(/alertname: "DiskFull"/) },
      { path: 'components[0].alerts[1]', id: 'a', value: '', message: expect.stringMatching(/alert name/) },
      { path: 'components[1].awsHealth[0].region', id: 'b', value: 'Ireland', message: expect.stringMatching(/eu-west-1/) },
      { path: 'components[1].awsHealth[1].service', id: 'b', value: undefined, message: expect.stringMatching(/is required: the AWS Health service code/) },
      { path: 'components[1].awsHealth[2]', id: 'b', value: { service: 'S3', zone: 'a' }, message: expect.stringMatching(/\{ service, region\? \}|zone/) },
      { path: 'touchpoints[0].services[0]', id: 'web', value: 42, message: expect.stringMatching(/PagerDuty service id or name/) },
    ]);
  });
});

describe('severity and effect config', () => {
  it('given no config, then the defaults: PagerDuty priority before urgency, Alertmanager labels, sev2 otherwise', () => {
    expect(severityFor('pagerduty', undefined, ['P4', 'high'])).toBe('sev4');
    expect(severityFor('pagerduty', undefined, [undefined, 'low'])).toBe('sev3');
    expect(severityFor('pagerduty', undefined, ['P9', undefined])).toBe('sev2');
    expect(severityFor('alertmanager', undefined, ['warning'])).toBe('sev3');
    expect(severityFor('aws-health', undefined, ['AWS_EC2_OPERATIONAL_ISSUE'])).toBe('sev2');
  });

  it('given a mapping, it is merged over the defaults; given one word, it is used for everything', () => {
    expect(severityFor('pagerduty', { severity: { p2: 'sev1', default: 'sev4' } }, ['P2'])).toBe('sev1');
    expect(severityFor('pagerduty', { severity: { p2: 'sev1', default: 'sev4' } }, ['P1'])).toBe('sev1');
    expect(severityFor('pagerduty', { severity: { default: 'sev4' } }, ['P7'])).toBe('sev4');
    expect(severityFor('alertmanager', { severity: 'sev3' }, ['critical'])).toBe('sev3');
  });

  it("given vendor values that are names of Object's own properties, then they map to nothing", () => {
    expect(severityFor('pagerduty', undefined, ['__proto__', 'constructor', 'toString'])).toBe('sev2');
    expect(severityOnNodes('sev3', { perNode: {} }, ['constructor', '__proto__'])).toBe('sev3');
  });

  it('per-node severities win, and the most severe node counts', () => {
    const config = { perNode: { a: { severity: 'sev4' as const }, b: { severity: 'sev1' as const } } };
    expect(severityOnNodes('sev3', config, ['a'])).toBe('sev4');
    expect(severityOnNodes('sev3', config, ['a', 'b', 'c'])).toBe('sev1');
    expect(severityOnNodes('sev3', config, ['c'])).toBe('sev3');
  });

  it('checkIntakeConfig names each bad key with its path', () => {
    expect(checkIntakeConfig({ jira: { fields: { plannedStart: 'Planned start' } }, pagerduty: { severity: { P1: 'critical' } }, opsgenie: {} })).toEqual({
      ok: false,
      problems: [
        { path: 'intake.jira.fields.plannedStart', message: expect.stringMatching(/customfield_10015 \(got "Planned start"\)/) },
        { path: 'intake.pagerduty.severity', message: expect.stringMatching(/sev1, sev2, sev3, sev4.*\(got \{"P1":"critical"\}\)/) },
        { path: 'intake', message: expect.stringMatching(/unknown key\(s\) "opsgenie".*servicenow, jira, pagerduty, alertmanager, aws-health/) },
      ],
    });
    expect(checkIntakeConfig(undefined)).toEqual({ ok: true, config: {} });
  });
});
