/**
 * Prometheus Alertmanager webhooks (version 4) -> one incident per alert group:
 *   status firing   -> Incident Opened on the nodes whose `alerts` matchers match a firing alert
 *   status resolved -> Incident Resolved (at the last endsAt)
 * The incident is `AM-<hash of the groupKey>` (group keys hold quotes and braces, which ids may not).
 * Alertmanager repeats a group's notification (repeat_interval) and sends it again when the group changes;
 * the event id is the group, its status and a hash of its alerts' fingerprints, states and start (and, once
 * resolved, end) times, so a repeat is one event and a change is a new one. Its time is the latest alert
 * change in the group, so later group states fold after earlier ones.
 */
import { z } from 'zod';
import type { Severity } from '../model.ts';
import type { IntakeContext, IntakeIssue, IntakeOutcome, UnknownName } from './contract.ts';
import { impactsOn, mostSevere, severityFor, severityOnNodes } from './config.ts';
import { nodesByAlert } from './catalog.ts';
import { clipText, eventIdFrom, intakeEvent, issuesFrom, produced, refused, shortHash, subjectIdFrom, toolActor, unknownNamesRefusal } from './envelope.ts';
import { TIME_FORMATS_HINT, isoOf, vendorTime } from './times.ts';

const SOURCE = 'alertmanager';
const labelSet = z.record(z.string(), z.string(), { error: 'must be an object of label names to string values' });
const status = z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' });

const alertSchema = z.object({
  status,
  labels: labelSet,
  annotations: labelSet.optional(),
  startsAt: z.string({ error: 'is required: when the alert started (RFC 3339)' }),
  endsAt: z.string().optional(),
  fingerprint: z.string().optional(),
});

const webhookSchema = z.object(
  {
    version: z.literal('4', { error: 'must be "4": this is the webhook format of Alertmanager 0.x; other versions are not read' }),
    groupKey: z.string({ error: 'is required: the key of the alert group' }).min(1, { error: 'must not be empty: the key of the alert group' }),
    status,
    receiver: z.string().optional(),
    groupLabels: labelSet.optional(),
    commonLabels: labelSet.optional(),
    commonAnnotations: labelSet.optional(),
    alerts: z.array(alertSchema, { error: "must be the list of the group's alerts" }).min(1, { error: 'must hold at least one alert' }),
  },
  { error: 'must be an Alertmanager webhook body (version 4), as webhook_config sends it' },
);

type Alert = z.infer<typeof alertSchema>;

const labelText = (labels: Readonly<Record<string, string>>): string => {
  const { alertname, ...rest } = labels;
  const pairs = Object.entries(rest)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${alertname ?? ''}{${pairs.join(',')}}`.slice(0, 256);
};

/** The group's common summary; a lone alert's own summary; else the names of the firing alerts. */
const titleOf = (commonAnnotations: Record<string, string> | undefined, firing: Alert[]): string => {
  const summary = commonAnnotations?.summary ?? (firing.length === 1 ? firing[0].annotations?.summary : undefined);
  if (summary?.trim()) return summary.trim();
  const names = [...new Set(firing.map((a) => a.labels.alertname).filter(Boolean))].sort();
  return names.length > 0 ? `Alert ${names.join(', ')}` : 'Alertmanager alert group';
};

export const mapAlertmanager = (payload: unknown, { catalog, config }: IntakeContext): IntakeOutcome => {
  const parsed = webhookSchema.safeParse(payload);
  if (!parsed.success) return refused(SOURCE, issuesFrom(parsed.error, payload));
  const hook = parsed.data;

  const issues: IntakeIssue[] = [];
  const times = hook.alerts.map((alert, i) => {
    const start = vendorTime(alert.startsAt);
    const end = vendorTime(alert.endsAt);
    if (start === undefined) issues.push({ field: `alerts.${i}.startsAt`, message: `must be ${TIME_FORMATS_HINT} (got ${JSON.stringify(alert.startsAt)})` });
    if (alert.status === 'resolved' && end === undefined) {
      issues.push({
        field: `alerts.${i}.endsAt`,
        message: `is required for a resolved alert: ${TIME_FORMATS_HINT} (got ${JSON.stringify(alert.endsAt ?? null)})`,
      });
    }
    return { alert, start: start ?? 0, end };
  });
  if (issues.length > 0) return refused(SOURCE, issues);

  const groupHash = shortHash(hook.groupKey, 24);
  const signature = times
    .map(
      ({ alert, start, end }) =>
        `${alert.fingerprint ?? shortHash(labelText(alert.labels))}|${alert.status}|${start}|${alert.status === 'resolved' ? end : ''}`,
    )
    .sort()
    .join('\n');
  const latest = Math.max(...times.map(({ alert, start, end }) => (alert.status === 'resolved' ? (end as number) : start)));
  const common = {
    eventId: eventIdFrom(SOURCE, groupHash, hook.status, shortHash(signature, 24)),
    occurredAt: isoOf(latest),
    actor: toolActor(SOURCE, hook.receiver, 'Alertmanager'),
    incidentId: subjectIdFrom('AM-', groupHash),
  };
  if (hook.status === 'resolved') {
    const resolvedAt = Math.max(...times.map(({ start, end }) => end ?? start));
    return produced(SOURCE, [intakeEvent(SOURCE, 'Incident Resolved', { ...common, resolvedAt: isoOf(resolvedAt) })]);
  }

  const firing = times.filter(({ alert }) => alert.status === 'firing');
  if (firing.length === 0)
    return refused(SOURCE, [
      { field: 'status', message: 'is firing, but no alert in the group is: send the group as Alertmanager does (status resolved once every alert is)' },
    ]);
  const cfg = config?.alertmanager;
  const severityLabel = cfg?.severityLabel ?? 'severity';
  const nodes = new Set<string>();
  const severities: Severity[] = [];
  const unknownNames: UnknownName[] = [];
  for (const { alert } of firing) {
    const matched = nodesByAlert(catalog, alert.labels);
    if (matched.length === 0) {
      unknownNames.push({ kind: 'alert', value: labelText(alert.labels) });
      continue;
    }
    for (const n of matched) nodes.add(n);
    severities.push(severityFor(SOURCE, cfg, [alert.labels[severityLabel]]));
  }
  if (nodes.size === 0) {
    return unknownNamesRefusal(
      SOURCE,
      'alerts',
      unknownNames,
      'list the alert name, or labels that identify these alerts, under `alerts` on the graph nodes they concern',
    );
  }
  const nodeList = [...nodes].sort();
  const severity = severityOnNodes(mostSevere(severities) as Severity, cfg, nodeList);
  const title = titleOf(
    hook.commonAnnotations,
    firing.map(({ alert }) => alert),
  );
  return produced(
    SOURCE,
    [
      intakeEvent(SOURCE, 'Incident Opened', {
        ...common,
        title: clipText(title),
        severity,
        impacts: impactsOn(SOURCE, cfg, nodeList),
        startedAt: isoOf(Math.min(...firing.map(({ start }) => start))),
      }),
    ],
    unknownNames,
  );
};
