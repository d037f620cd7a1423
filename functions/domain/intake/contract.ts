/**
 * What every intake mapper takes and gives. A mapper is a pure function from a vendor's payload to
 * the pipeline's own events (DESIGN section 6) or a refusal that says why; it never throws on input.
 */
import type { DetailOf, DetailType } from '../events/schemas.ts';
import type { IntakeCatalog } from './catalog.ts';
import type { IntakeConfig } from './config.ts';

/** The tools we take events from; the names are the `{source}` of `POST /intake/{source}` and the config keys. */
export const INTAKE_SOURCES = ['servicenow', 'jira', 'pagerduty', 'alertmanager', 'aws-health'] as const;
export type IntakeSource = (typeof INTAKE_SOURCES)[number];

/** The envelope `source` of the events each tool produces (AWS Health keeps its own EventBridge source). */
export const EVENT_SOURCES: Record<IntakeSource, string> = {
  servicenow: 'servicenow',
  jira: 'jira',
  pagerduty: 'pagerduty',
  alertmanager: 'alertmanager',
  'aws-health': 'aws.health',
};

export const isIntakeSource = (value: unknown): value is IntakeSource => typeof value === 'string' && (INTAKE_SOURCES as readonly string[]).includes(value);

/** Who made the change in the tool: a person's id and display name, or the tool itself. Never contact details. */
export interface IntakeActor {
  type: 'tool';
  source: string;
  id?: string;
  name?: string;
}

type IntakeDetail<K extends DetailType> = DetailOf<K> & { eventId: string; occurredAt: string; actor: IntakeActor };

/** One pipeline event as `parseEvent` accepts it, with the source on the envelope and the actor in the detail. */
export type IntakeEvent = {
  [K in DetailType]: { 'detail-type': K; source: string; time: string; detail: IntakeDetail<K> };
}[DetailType];
export type IntakeEventOf<K extends DetailType> = Extract<IntakeEvent, { 'detail-type': K }>;

/** A tool name that no graph node lists (under `ci`, `services`, `alerts` or `awsHealth`). */
export interface UnknownName {
  kind: 'ci' | 'service' | 'alert' | 'awsHealth';
  value: string;
}

export interface IntakeIssue {
  /** Path of the offending field in the vendor's payload, e.g. `event.data.service.id`. */
  field: string;
  /** What is wrong, with the bad value and how to fix it. */
  message: string;
}

export type RefusalCode = 'invalid-payload' | 'unknown-names';

export type IntakeOutcome =
  /** Events to append; `unknownNames` lists names of the payload that matched no node (kept, like unknown nodes). */
  | { kind: 'events'; source: IntakeSource; events: IntakeEvent[]; unknownNames: UnknownName[] }
  /** A well-formed payload that says nothing about customers (a change still in review, a test ping). */
  | { kind: 'ignored'; source: IntakeSource; reason: string }
  /** The payload cannot be used: recorded as a rejection with these reasons. */
  | { kind: 'refused'; source: IntakeSource; code: RefusalCode; issues: IntakeIssue[]; unknownNames: UnknownName[] };

export interface IntakeContext {
  /** The graph nodes with their names in the tools. */
  catalog: IntakeCatalog;
  config?: IntakeConfig;
}

export type IntakeMapper = (payload: unknown, context: IntakeContext) => IntakeOutcome;
