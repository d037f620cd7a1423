/**
 * Graph nodes name what they are in the tools people run, next to `alarms`:
 *   ci:        ServiceNow CI sys_ids or names             ci: [8a4d3c2e..., payments-db-01]
 *   services:  PagerDuty service ids or names, Jira (JSM) affected-service ids or names
 *   alerts:    Alertmanager label matchers: an alert name, or labels that must all be equal
 *              alerts: [DiskFull, { alertname: HighLatency, service: payments }]
 *   awsHealth: AWS Health service code and, optionally, region (absent = every region)
 *              awsHealth: [{ service: RDS, region: eu-west-1 }]
 * Names compare trimmed and case-insensitively (tools differ in case; sys_ids are lower-case hex anyway);
 * label values compare exactly, as Alertmanager does.
 */
import { z } from 'zod';
import type { NodeId } from '../model.ts';

export type AlertMatcher = string | Readonly<Record<string, string>>;
export interface AwsHealthName {
  service: string;
  region?: string;
}

/** A graph node as intake sees it: its id and its names in the tools. */
export interface IntakeNode {
  id: NodeId;
  ci?: readonly string[];
  services?: readonly string[];
  alerts?: readonly AlertMatcher[];
  awsHealth?: readonly AwsHealthName[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const AWS_REGION = /^([a-z]{2}(-[a-z]+)+-\d{1,2}|global)$/;
const AWS_HEALTH_SERVICE = /^[A-Za-z0-9_]+$/;

const toolName = (what: string) =>
  z
    .string({ error: `must be text: a ${what}` })
    .refine((s) => s.trim().length > 0 && s.length <= 256, { error: `must be a non-empty ${what} of at most 256 characters` });

const alertMatcherSchema = z.union(
  [
    toolName('Prometheus alert name (e.g. DiskFull)'),
    z.record(z.string().regex(LABEL_NAME), z.string()).refine((labels) => Object.keys(labels).length > 0, { error: 'needs at least one label' }),
  ],
  {
    error:
      'must be an alert name ("DiskFull") or labels that must all match, e.g. { alertname: "DiskFull", instance: "db-1:9100" } (label names: letters, digits and _, not starting with a digit)',
  },
);

const awsHealthSchema = z.strictObject(
  {
    service: z.string({ error: 'is required: the AWS Health service code, e.g. EC2, RDS, ELASTICLOADBALANCING' }).regex(AWS_HEALTH_SERVICE, {
      error: 'must be an AWS Health service code (letters, digits, _), e.g. EC2, RDS, ELASTICLOADBALANCING',
    }),
    region: z
      .string({ error: 'must be an AWS Region such as eu-west-1 (or "global"); leave it out to match every region' })
      .regex(AWS_REGION, { error: 'must be an AWS Region such as eu-west-1 (or "global"); leave it out to match every region' })
      .optional(),
  },
  { error: 'must be { service, region? }, e.g. { service: RDS, region: eu-west-1 }' },
);

/** The node fields, as zod schemas the graph file schema can spread into its component and touchpoint entries. */
export const intakeNameFields = {
  ci: z.array(toolName('ServiceNow CI sys_id or name'), { error: 'must be a list of ServiceNow CI sys_ids or names' }).optional(),
  services: z
    .array(toolName('PagerDuty service id or name, or Jira service name'), {
      error: 'must be a list of PagerDuty service ids or names, or Jira affected-service names',
    })
    .optional(),
  alerts: z.array(alertMatcherSchema, { error: 'must be a list of alert names or label matchers' }).optional(),
  awsHealth: z.array(awsHealthSchema, { error: 'must be a list of { service, region? }' }).optional(),
};
const intakeNamesSchema = z.object(intakeNameFields);

export interface IntakeNameProblem {
  /** Where in the graph file: `components[2].alerts[0]`. */
  path: string;
  /** The id of the node concerned, when it has one. */
  id?: string;
  /** The offending value as written. */
  value: unknown;
  /** What is wrong and how to fix it. */
  message: string;
}

const formatPath = (segments: readonly PropertyKey[]): string => segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('');

const valueAt = (root: unknown, segments: readonly PropertyKey[]): unknown =>
  segments.reduce<unknown>((v, s) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[s] : undefined), root);

/**
 * Checks the intake names of every component and touchpoint of a graph document (before or without the
 * rest of the graph schema): each problem names the path, the bad value and the fix.
 */
export const validateIntakeNames = (document: unknown): IntakeNameProblem[] => {
  if (!document || typeof document !== 'object') return [];
  const problems: IntakeNameProblem[] = [];
  for (const list of ['components', 'touchpoints'] as const) {
    const entries = (document as Record<string, unknown>)[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, index) => {
      if (!entry || typeof entry !== 'object') return;
      const result = intakeNamesSchema.safeParse(entry);
      if (result.success) return;
      const id = (entry as { id?: unknown }).id;
      for (const issue of result.error.issues) {
        problems.push({
          path: `${list}[${index}]${formatPath(issue.path)}`,
          ...(typeof id === 'string' ? { id } : {}),
          value: valueAt(entry, issue.path),
          message: issue.message,
        });
      }
    });
  }
  return problems;
};

const nameKey = (name: string): string => name.trim().toLowerCase();

/** The nodes indexed by their tool names, built once per graph version. */
export interface IntakeCatalog {
  readonly ci: ReadonlyMap<string, readonly NodeId[]>;
  readonly services: ReadonlyMap<string, readonly NodeId[]>;
  readonly alerts: readonly { node: NodeId; labels: readonly (readonly [string, string])[] }[];
  readonly awsHealth: readonly { node: NodeId; service: string; region?: string }[];
}

const addName = (index: Map<string, NodeId[]>, name: string, node: NodeId) => {
  const key = nameKey(name);
  const nodes = index.get(key) ?? [];
  if (!nodes.includes(node)) nodes.push(node);
  index.set(key, nodes);
};

export const buildIntakeCatalog = (nodes: Iterable<IntakeNode>): IntakeCatalog => {
  const ci = new Map<string, NodeId[]>();
  const services = new Map<string, NodeId[]>();
  const alerts: { node: NodeId; labels: [string, string][] }[] = [];
  const awsHealth: { node: NodeId; service: string; region?: string }[] = [];
  for (const node of nodes) {
    for (const name of node.ci ?? []) addName(ci, name, node.id);
    for (const name of node.services ?? []) addName(services, name, node.id);
    for (const matcher of node.alerts ?? []) {
      alerts.push({ node: node.id, labels: typeof matcher === 'string' ? [['alertname', matcher]] : Object.entries(matcher) });
    }
    for (const h of node.awsHealth ?? []) {
      awsHealth.push({ node: node.id, service: h.service.toUpperCase(), ...(h.region ? { region: h.region.toLowerCase() } : {}) });
    }
  }
  return { ci, services, alerts, awsHealth };
};

/**
 * One thing a payload names, by all the names it goes by (a CI's sys_id and its display name): it
 * matches a node when any of them is listed.
 */
export type NameRef = readonly string[];

export interface NameMatch {
  /** Matched node ids, sorted. */
  nodes: NodeId[];
  /** The refs that matched nothing, as "name (id)" text. */
  unknown: string[];
}

const sortedUnique = (ids: Iterable<NodeId>): NodeId[] => [...new Set(ids)].sort();

const matchNames = (index: ReadonlyMap<string, readonly NodeId[]>, refs: readonly NameRef[]): NameMatch => {
  const nodes: NodeId[] = [];
  const unknown: string[] = [];
  for (const ref of refs) {
    const names = ref.filter((n) => n.trim() !== '');
    if (names.length === 0) continue;
    const found = names.flatMap((n) => index.get(nameKey(n)) ?? []);
    if (found.length > 0) nodes.push(...found);
    else unknown.push(names.length > 1 ? `${names[1]} (${names[0]})` : names[0]);
  }
  return { nodes: sortedUnique(nodes), unknown: [...new Set(unknown)] };
};

export const nodesByCi = (catalog: IntakeCatalog, refs: readonly NameRef[]): NameMatch => matchNames(catalog.ci, refs);

export const nodesByService = (catalog: IntakeCatalog, refs: readonly NameRef[]): NameMatch => matchNames(catalog.services, refs);

/** Nodes with a matcher whose every label equals the alert's label. */
export const nodesByAlert = (catalog: IntakeCatalog, labels: Readonly<Record<string, string>>): NodeId[] =>
  sortedUnique(catalog.alerts.filter((m) => m.labels.every(([k, v]) => labels[k] === v)).map((m) => m.node));

/** Nodes listing the service in that region, or the service in every region. */
export const nodesByAwsHealth = (catalog: IntakeCatalog, service: string, region: string | undefined): NodeId[] => {
  const s = service.toUpperCase();
  const r = region?.toLowerCase();
  return sortedUnique(catalog.awsHealth.filter((h) => h.service === s && (h.region === undefined || h.region === r)).map((h) => h.node));
};
