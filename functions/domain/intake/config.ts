/**
 * Intake configuration per source: the severity of the incidents a tool opens, the effect on the nodes
 * it names, overrides per node, and what each tool needs to be read (Jira's custom field ids, status names).
 *
 *   pagerduty:
 *     severity: { P1: sev1, P2: sev2, high: sev2, low: sev3, default: sev3 }   # merged over the defaults
 *     effect: outage
 *     perNode: { payments-db: { severity: sev1 }, search: { effect: degraded } }
 *
 * A severity given as one word (`severity: sev3`) is used for every incident of that source; a mapping is
 * looked up by the vendor's value (PagerDuty priority then urgency, the Alertmanager `severity` label, the
 * AWS Health event type code), falling back to its `default`.
 */
import { z } from 'zod';
import { SEVERITIES, type NodeId, type Severity } from '../model.ts';
import type { IntakeSource } from './contract.ts';

export const INTAKE_EFFECTS = ['outage', 'degraded'] as const;
export type IntakeEffect = (typeof INTAKE_EFFECTS)[number];

export type SeverityRule = Severity | Readonly<Record<string, Severity>>;

export interface NodeOverride {
  effect?: IntakeEffect;
  severity?: Severity;
}

export interface SourceConfig {
  severity?: SeverityRule;
  effect?: IntakeEffect;
  perNode?: Readonly<Record<NodeId, NodeOverride>>;
}

/** The stages of a change's life that Jira statuses map to; any other status is not announced. */
export const CHANGE_STAGES = ['scheduled', 'started', 'completed', 'cancelled', 'failed'] as const;
export type ChangeStage = (typeof CHANGE_STAGES)[number];

export interface JiraConfig extends SourceConfig {
  /** Ids of the custom fields holding the planned window and the affected services (they differ per Jira site). */
  fields?: { plannedStart?: string; plannedEnd?: string; affectedServices?: string };
  /** Status names per stage, replacing the defaults of that stage (compared case-insensitively). */
  statuses?: Partial<Record<ChangeStage, readonly string[]>>;
}

export interface AlertmanagerConfig extends SourceConfig {
  /** The alert label whose value is looked up in `severity` (default `severity`). */
  severityLabel?: string;
}

export interface AwsHealthConfig extends SourceConfig {
  /** Length of a scheduled change's window when AWS Health gives no end time (default 60 minutes). */
  scheduledChangeMinutes?: number;
}

export interface IntakeConfig {
  servicenow?: SourceConfig;
  jira?: JiraConfig;
  pagerduty?: SourceConfig;
  alertmanager?: AlertmanagerConfig;
  'aws-health'?: AwsHealthConfig;
}

/** Severity when nothing in the payload or the config says otherwise: what CloudWatch alarms use. */
export const FALLBACK_SEVERITY: Severity = 'sev2';

export const DEFAULT_SEVERITY: Record<IntakeSource, SeverityRule> = {
  servicenow: FALLBACK_SEVERITY,
  jira: FALLBACK_SEVERITY,
  pagerduty: { p1: 'sev1', p2: 'sev2', p3: 'sev3', p4: 'sev4', p5: 'sev4', high: 'sev2', low: 'sev3', default: 'sev2' },
  alertmanager: { critical: 'sev1', page: 'sev1', error: 'sev2', high: 'sev2', warning: 'sev3', medium: 'sev3', info: 'sev4', low: 'sev4', default: 'sev2' },
  'aws-health': FALLBACK_SEVERITY,
};

/**
 * AWS Health issues usually describe elevated error rates or latency in part of a service, so they
 * degrade the nodes listing it; the other tools name what their operators mapped, so an outage.
 */
export const DEFAULT_EFFECT: Record<IntakeSource, IntakeEffect> = {
  servicenow: 'outage',
  jira: 'outage',
  pagerduty: 'outage',
  alertmanager: 'outage',
  'aws-health': 'degraded',
};

export const DEFAULT_JIRA_STATUSES: Record<ChangeStage, readonly string[]> = {
  scheduled: ['Awaiting implementation', 'Scheduled', 'Approved'],
  started: ['Implementing', 'In progress', 'Work in progress'],
  completed: ['Completed', 'Done', 'Closed', 'Resolved', 'Peer review', 'Review'],
  cancelled: ['Canceled', 'Cancelled', 'Declined', 'Rejected'],
  failed: ['Failed'],
};

export const DEFAULT_SCHEDULED_CHANGE_MINUTES = 60;

const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);
/** sev1 is the most severe. */
export const mostSevere = (severities: readonly Severity[]): Severity | undefined =>
  severities.length === 0 ? undefined : severities.reduce((a, b) => (severityRank(b) < severityRank(a) ? b : a));

const lowerKeys = (rule: Readonly<Record<string, Severity>>): [string, Severity][] => Object.entries(rule).map(([k, v]) => [k.trim().toLowerCase(), v]);

const isSeverity = (value: unknown): value is Severity => (SEVERITIES as readonly unknown[]).includes(value);

/**
 * The severity a source's rule gives for the first vendor value that it maps (values in order of
 * precedence, e.g. PagerDuty priority before urgency), else the rule's default.
 */
export const severityFor = (source: IntakeSource, config: SourceConfig | undefined, values: readonly (string | undefined)[]): Severity => {
  const configured = config?.severity;
  if (typeof configured === 'string') return configured;
  const defaults = DEFAULT_SEVERITY[source];
  // A Map, not an object: vendor values such as "__proto__" or "constructor" must find nothing.
  const rule = new Map<string, Severity>([
    ...(typeof defaults === 'string' ? [['default', defaults] as [string, Severity]] : lowerKeys(defaults)),
    ...(configured ? lowerKeys(configured) : []),
  ]);
  for (const v of values) {
    const hit = typeof v === 'string' ? rule.get(v.trim().toLowerCase()) : undefined;
    if (isSeverity(hit)) return hit;
  }
  const fallback = rule.get('default');
  return isSeverity(fallback) ? fallback : FALLBACK_SEVERITY;
};

/** Per-node severities win over the source's; among the nodes hit, the most severe one counts. */
const overrideFor = (config: SourceConfig | undefined, node: NodeId): NodeOverride | undefined =>
  config?.perNode && Object.hasOwn(config.perNode, node) ? config.perNode[node] : undefined;

export const severityOnNodes = (base: Severity, config: SourceConfig | undefined, nodes: readonly NodeId[]): Severity =>
  mostSevere(nodes.map((n) => overrideFor(config, n)?.severity ?? base)) ?? base;

export const effectOn = (source: IntakeSource, config: SourceConfig | undefined, node: NodeId): IntakeEffect =>
  overrideFor(config, node)?.effect ?? config?.effect ?? DEFAULT_EFFECT[source];

export const impactsOn = (source: IntakeSource, config: SourceConfig | undefined, nodes: readonly NodeId[]) =>
  nodes.map((node) => ({ node, effect: effectOn(source, config, node) }));

// ---- validation of a configuration read from impact.local.json or cdk.json context ----

const severitySchema = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` });
const severityRuleSchema = z.union([severitySchema, z.record(z.string(), severitySchema)], {
  error: `must be a severity (${SEVERITIES.join(', ')}) or a mapping from the tool's value to a severity, e.g. { P1: sev1, default: sev3 }`,
});
const effectSchema = z.enum(INTAKE_EFFECTS, { error: `must be one of ${INTAKE_EFFECTS.join(', ')}` });
const sourceFields = {
  severity: severityRuleSchema.optional(),
  effect: effectSchema.optional(),
  perNode: z.record(z.string(), z.strictObject({ effect: effectSchema.optional(), severity: severitySchema.optional() })).optional(),
};
const fieldId = z.string().regex(/^(customfield_\d+|[a-z][A-Za-z0-9_]*)$/, { error: 'must be a Jira field id such as customfield_10015' });

export const intakeConfigSchema = z.strictObject(
  {
    servicenow: z.strictObject(sourceFields).optional(),
    jira: z
      .strictObject({
        ...sourceFields,
        fields: z.strictObject({ plannedStart: fieldId.optional(), plannedEnd: fieldId.optional(), affectedServices: fieldId.optional() }).optional(),
        statuses: z.strictObject(Object.fromEntries(CHANGE_STAGES.map((s) => [s, z.array(z.string().min(1)).optional()]))).optional(),
      })
      .optional(),
    pagerduty: z.strictObject(sourceFields).optional(),
    alertmanager: z
      .strictObject({
        ...sourceFields,
        severityLabel: z
          .string()
          .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
          .optional(),
      })
      .optional(),
    'aws-health': z
      .strictObject({
        ...sourceFields,
        scheduledChangeMinutes: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .optional(),
      })
      .optional(),
  },
  { error: 'must be an object with keys servicenow, jira, pagerduty, alertmanager, aws-health' },
);

export type IntakeConfigCheck = { ok: true; config: IntakeConfig } | { ok: false; problems: { path: string; message: string }[] };

/** Checks a configuration; every problem names its path (`intake.jira.fields.plannedStart`) and the fix. */
export const checkIntakeConfig = (raw: unknown): IntakeConfigCheck => {
  const result = intakeConfigSchema.safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data as IntakeConfig };
  const valueAt = (path: readonly PropertyKey[]) =>
    path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
  return {
    ok: false,
    problems: result.error.issues.map((i) => {
      const path = ['intake', ...i.path.map(String)].join('.');
      if (i.code === 'unrecognized_keys') {
        return { path, message: `has unknown key(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}: ${i.message}; check the spelling` };
      }
      const value = valueAt(i.path);
      return { path, message: value === undefined ? i.message : `${i.message} (got ${JSON.stringify(value)})` };
    }),
  };
};
