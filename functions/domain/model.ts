/**
 * The shared vocabulary of the domain: plain data types that every module (impact engine,
 * subject folding, notices, adapters, handlers, CLI) speaks. No behaviour lives here; rules
 * live in the modules that name them (see docs/decisions.md for the module map).
 */

import type { AlertMatcher, AwsHealthName } from './intake/catalog.ts';

/** Effects are ordered none < degraded < outage (DESIGN section 5). */
export const EFFECTS = ['none', 'degraded', 'outage'] as const;
export type Effect = (typeof EFFECTS)[number];

/** The kinds of interface customers touch. */
export const TOUCHPOINT_CHANNELS = ['web', 'mobile', 'kiosk', 'terminal', 'ivr', 'api', 'branch', 'contact-center', 'other'] as const;
export type TouchpointChannel = (typeof TOUCHPOINT_CHANNELS)[number];

/** How we reach customers. email -> contacts.email, sms -> contacts.phone, push -> contacts.push. */
export const NOTIFY_CHANNELS = ['email', 'sms', 'push'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const NODE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export type NodeId = string;

/**
 * What a node is called in the tools intake reads (functions/domain/intake/catalog.ts): ServiceNow CIs,
 * PagerDuty / Jira services, Alertmanager alerts, AWS Health services. Next to `alarms` on every node.
 */
export interface IntakeNames {
  ci?: string[];
  services?: string[];
  alerts?: AlertMatcher[];
  awsHealth?: AwsHealthName[];
}

/** One entry of a `dependsOn` list, normalised. */
export type Dependency = { kind: 'node'; id: NodeId; soft: boolean } | { kind: 'anyOf'; ids: NodeId[]; soft: boolean };

export interface Component extends IntakeNames {
  id: NodeId;
  name?: string;
  team?: string;
  dependsOn: Dependency[];
  /** CloudWatch alarm names that map to this node (DESIGN section 6). */
  alarms?: string[];
}

export interface Touchpoint extends IntakeNames {
  id: NodeId;
  name?: string;
  channel: TouchpointChannel;
  team?: string;
  region?: string;
  dependsOn: Dependency[];
  alarms?: string[];
}

export interface NotificationChannelDef {
  channel: NotifyChannel;
  dependsOn: Dependency[];
}

export interface Contacts {
  email?: string;
  phone?: string;
  push?: string;
}

export interface QuietHours {
  /** "HH:MM" in the customer's timeZone */
  start: string;
  end: string;
}

/** A usage of a touchpoint by a customer; a missing bound is infinite. Times are epoch ms. */
export interface Usage {
  customerId: string;
  touchpoint: NodeId;
  from?: number;
  to?: number;
  /** Position of the customer in `Graph.customerList`, set by the in-memory loader for fast joins. */
  ordinal?: number;
}

export interface Customer {
  id: string;
  segment?: string;
  locale?: string;
  timeZone?: string;
  contacts: Contacts;
  /** Notification preference, first usable wins; default ['email']. */
  channels: NotifyChannel[];
  optOut: boolean;
  quietHours?: QuietHours;
}

/**
 * A whole estate in memory. Customers and usages are kept in flat arrays/maps so that a million
 * customers stay compact; `usagesByTouchpoint` is the index the impact engine reads so that it never
 * scans every customer when a few touchpoints are hit.
 */
export interface Graph {
  components: Map<NodeId, Component>;
  touchpoints: Map<NodeId, Touchpoint>;
  notificationChannels: Map<NotifyChannel, NotificationChannelDef>;
  customers: Map<string, Customer>;
  usagesByTouchpoint: Map<NodeId, Usage[]>;
  /** Customers in id order, indexed by `Usage.ordinal` (optional: stores that page customers in leave it out). */
  customerList?: Customer[];
}

/** A time window; `end` undefined means open-ended. Epoch ms. */
export interface Window {
  start: number;
  end?: number;
}

export interface NodeImpact {
  node: NodeId;
  effect: Effect;
}

export type SubjectType = 'change' | 'incident';

/** Who did something: a person (console, CLI), a tool (ServiceNow, PagerDuty, ...) or the pipeline. */
export const ACTOR_TYPES = ['person', 'tool', 'system'] as const;
export interface Actor {
  type: (typeof ACTOR_TYPES)[number];
  id?: string;
  name?: string;
  /** A contact detail: shown to staff, never logged. */
  email?: string;
  source?: string;
}

/** `rolled-back`: a `Change Failed` with `rolledBack: true`; the service works as before and the change is over. */
export type ChangeStatus = 'scheduled' | 'started' | 'completed' | 'failed' | 'rolled-back' | 'cancelled';
export type IncidentStatus = 'open' | 'investigating' | 'identified' | 'monitoring' | 'resolved';

/** The folded state of one subject (DESIGN section 6). */
export interface SubjectState {
  type: SubjectType;
  id: string;
  /** false while the opening event (Change Scheduled / Incident Opened) has not arrived: held, not assessed. */
  opened: boolean;
  title?: string;
  status: ChangeStatus | IncidentStatus | 'pending';
  window: Window;
  impacts: NodeImpact[];
  team?: string;
  risk?: 'low' | 'medium' | 'high';
  severity?: Severity;
  customerMessage?: string;
  /** Bumped when window or impacts (scope) change: the notice version. */
  scopeVersion: number;
  /** Number of distinct events folded. */
  eventCount: number;
  lastEventId?: string;
  lastOccurredAt?: number;
  /** Epoch ms of lifecycle moments, when known. */
  startedAt?: number;
  completedAt?: number;
  resolvedAt?: number;
  cancelledAt?: number;
  /** When `status` last changed (drives status-change notices). */
  statusChangedAt?: number;
  /** Cancellation reason or the note of the last Started/Completed/Failed. */
  note?: string;
  /**
   * The fields below are absent until an event uses what they record, so that a history written before
   * them folds to exactly the state it folded to then.
   */
  /** When the service is expected back (incidents, failed changes): epoch ms. */
  expectedResolutionAt?: number;
  /**
   * Bumped when what customers are told changes besides the scope: customerMessage or
   * expectedResolutionAt really changes, or a change fails or is rolled back (see toldVersion).
   */
  messageVersion?: number;
  /** When messageVersion last moved (drives the incident update of a message-only change). */
  messageChangedAt?: number;
  /** When a change failed or was rolled back. */
  failedAt?: number;
  /** The state as of the last `notify: false` event: what it changed counts as told (planning). */
  silenced?: { toldVersion: number; scopeVersion: number; status: SubjectState['status']; at: number };
  /** Held: an event said `notify: "draft"`; its notices wait for `Notices Approved`. */
  draft?: { since: number; by?: Actor };
  /** The last `Notices Approved`; `news`: status or message changed while held (incidents then get an update). */
  approved?: { at: number; by?: Actor; news: boolean };
  /** An event said `notify: true`: the approval policy does not hold this subject. */
  sendChosen?: boolean;
}

/** Result of one impact assessment (DESIGN section 5, `--format json`). */
export interface AssessedTouchpoint {
  id: NodeId;
  channel: TouchpointChannel;
  effect: Effect;
  path: NodeId[];
}

export interface AssessedCustomer {
  id: string;
  effect: Effect;
  touchpoints: NodeId[];
  notify: NotifyChannel[];
}

export interface AssessmentSummary {
  touchpoints: number;
  customers: number;
  byEffect: Record<string, number>;
  byChannel: Record<string, number>;
  bySegment: Record<string, number>;
  unreachable: number;
}

export interface Assessment {
  subject: { type: SubjectType; id: string; window: { start: string; end?: string } };
  touchpoints: AssessedTouchpoint[];
  customers: AssessedCustomer[];
  unknownNodes: NodeId[];
  summary: AssessmentSummary;
}
