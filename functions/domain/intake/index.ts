/**
 * Intake: payloads of the tools people already run (ServiceNow, Jira, PagerDuty, Alertmanager, AWS Health)
 * turned into the pipeline's events by one pure mapper per tool. See docs/decisions.md, section Intake.
 */
import type { IntakeContext, IntakeMapper, IntakeOutcome, IntakeSource } from './contract.ts';
import { mapAlertmanager } from './alertmanager.ts';
import { AWS_HEALTH_DETAIL_TYPE, AWS_HEALTH_SOURCE, isAwsHealthEvent, mapAwsHealth } from './aws-health.ts';
import { mapJira } from './jira.ts';
import { mapPagerDuty } from './pagerduty.ts';
import { mapServiceNow } from './servicenow.ts';

export const INTAKE_MAPPERS: Record<IntakeSource, IntakeMapper> = {
  servicenow: mapServiceNow,
  jira: mapJira,
  pagerduty: mapPagerDuty,
  alertmanager: mapAlertmanager,
  'aws-health': mapAwsHealth,
};

export const mapIntake = (source: IntakeSource, payload: unknown, context: IntakeContext): IntakeOutcome => INTAKE_MAPPERS[source](payload, context);

export * from './contract.ts';
export * from './errors.ts';
export * from './catalog.ts';
export * from './config.ts';
export * from './auth.ts';
export * from './credentials.ts';
export { vendorTime } from './times.ts';
export { AWS_HEALTH_DETAIL_TYPE, AWS_HEALTH_SOURCE, isAwsHealthEvent, mapAlertmanager, mapAwsHealth, mapJira, mapPagerDuty, mapServiceNow };
