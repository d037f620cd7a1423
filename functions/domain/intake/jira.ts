/**
 * Jira Service Management change issue webhooks (jira:issue_created / jira:issue_updated) -> change events,
 * by the issue's status mapped to a stage (config `jira.statuses`, defaults in config.ts):
 *   scheduled -> Change Scheduled;  started -> Change Scheduled + Change Started;
 *   completed -> Change Completed;  cancelled -> Change Cancelled;  failed -> Change Failed;
 *   any other status (Open, Planning, Awaiting approval...) is ignored: not announced yet.
 * The planned window and the affected services are custom fields whose ids differ per Jira site, named in
 * config `jira.fields` (plannedStart, plannedEnd, affectedServices). Deleted issues are ignored: deleting a
 * finished change must not tell its customers it was cancelled.
 * A redelivery is recognised by the issue id + the changelog id (else the webhook event and its timestamp).
 */
import { z } from 'zod';
import type { IntakeContext, IntakeIssue, IntakeOutcome } from './contract.ts';
import { CHANGE_STAGES, DEFAULT_JIRA_STATUSES, impactsOn, type ChangeStage, type JiraConfig } from './config.ts';
import { nodesByService, type NameRef } from './catalog.ts';
import { announceChange, closeChange, plannedWindow } from './changes.ts';
import { ignored, issuesFrom, knownNodes, produced, refused, subjectIdFrom, toolActor } from './envelope.ts';
import { TIME_FORMATS_HINT, isoOf, vendorTime } from './times.ts';

const SOURCE = 'jira';
const id = z.union([z.string().min(1), z.number()]);

const webhookSchema = z.object(
  {
    webhookEvent: z.string({ error: 'is required: the Jira webhook event, e.g. jira:issue_updated' }),
    timestamp: z.union([z.number(), z.string()]).optional(),
    user: z
      .object({ accountId: z.string().optional(), key: z.string().optional(), name: z.string().optional(), displayName: z.string().optional() })
      .optional(),
    issue: z
      .object(
        {
          id: id.optional(),
          key: z.string({ error: 'is required: the issue key, e.g. CHG-12' }).min(1),
          fields: z.record(z.string(), z.unknown(), { error: 'is required: the issue fields' }),
        },
        { error: 'must be the issue object of a Jira issue webhook' },
      )
      .optional(),
    changelog: z.object({ id: id.optional() }).optional(),
  },
  { error: 'must be a Jira webhook body (a JSON object with webhookEvent and issue)' },
);

const statusName = (status: unknown): string | undefined => {
  const name = status && typeof status === 'object' ? (status as { name?: unknown }).name : status;
  return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
};

const stageOf = (status: string, config: JiraConfig | undefined): ChangeStage | undefined => {
  const wanted = status.toLowerCase();
  return CHANGE_STAGES.find((stage) => (config?.statuses?.[stage] ?? DEFAULT_JIRA_STATUSES[stage]).some((s) => s.toLowerCase() === wanted));
};

/** JSM's affected services field holds service objects ({ id, name }); plain names are read too. */
const serviceRefs = (value: unknown): NameRef[] =>
  (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).flatMap((entry): NameRef[] => {
    if (typeof entry === 'string') return [[entry]];
    if (!entry || typeof entry !== 'object') return [];
    const e = entry as Record<string, unknown>;
    const names = [e.id, e.name ?? e.value].filter((n): n is string => typeof n === 'string' && n.trim() !== '');
    return names.length > 0 ? [names] : [];
  });

const FIELD_HINT = 'the id of the Jira field (e.g. customfield_10015), found under Settings > Issues > Custom fields';

export const mapJira = (payload: unknown, { catalog, config }: IntakeContext): IntakeOutcome => {
  const parsed = webhookSchema.safeParse(payload);
  if (!parsed.success) return refused(SOURCE, issuesFrom(parsed.error, payload));
  const hook = parsed.data;
  if (hook.webhookEvent === 'jira:issue_deleted') return ignored(SOURCE, 'a deleted issue is not announced (delete never means cancelled)');
  if (hook.webhookEvent !== 'jira:issue_created' && hook.webhookEvent !== 'jira:issue_updated') {
    return ignored(SOURCE, `webhook event ${hook.webhookEvent} says nothing about a change's schedule`);
  }
  const cfg = config?.jira;
  const issue = hook.issue;
  const at = vendorTime(hook.timestamp);
  const status = statusName(issue?.fields.status);
  const issues: IntakeIssue[] = [];
  if (!issue) issues.push({ field: 'issue', message: 'is required: the issue the webhook is about' });
  if (at === undefined)
    issues.push({
      field: 'timestamp',
      message: `is required: when Jira raised the event, epoch milliseconds or ${TIME_FORMATS_HINT} (got ${JSON.stringify(hook.timestamp ?? null)})`,
    });
  if (issue && status === undefined)
    issues.push({ field: 'issue.fields.status', message: 'is required: the issue status ({ name }), which says where the change is in its life' });
  if (issues.length > 0 || !issue || at === undefined || status === undefined) return refused(SOURCE, issues);

  const stage = stageOf(status, cfg);
  if (stage === undefined) {
    return ignored(
      SOURCE,
      `${issue.key} is "${status}", not a status that announces a change; to announce it, list it under intake.jira.statuses.scheduled (or started, completed, cancelled, failed)`,
    );
  }
  const changeId = subjectIdFrom('', issue.key);
  const key = String(issue.id ?? issue.key);
  const version = hook.changelog?.id !== undefined ? `changelog-${hook.changelog.id}` : `${hook.webhookEvent}-${String(hook.timestamp)}`;
  const occurredAt = isoOf(at);
  const actor = toolActor(SOURCE, hook.user?.accountId ?? hook.user?.key ?? hook.user?.name, hook.user?.displayName);

  if (stage === 'completed' || stage === 'failed' || stage === 'cancelled') {
    return produced(SOURCE, [closeChange(SOURCE, stage, { key, changeId, occurredAt, actor, text: `${status} in Jira` })]);
  }

  const fieldIds = { plannedStart: cfg?.fields?.plannedStart, plannedEnd: cfg?.fields?.plannedEnd, affectedServices: cfg?.fields?.affectedServices };
  const unset = Object.entries(fieldIds)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (unset.length > 0) {
    return refused(
      SOURCE,
      unset.map((k) => ({ field: `intake.jira.fields.${k}`, message: `is not configured: set it to ${FIELD_HINT}` })),
    );
  }
  const fields = issue.fields;
  const window = plannedWindow(
    { field: `issue.fields.${fieldIds.plannedStart}`, value: fields[fieldIds.plannedStart as string] },
    { field: `issue.fields.${fieldIds.plannedEnd}`, value: fields[fieldIds.plannedEnd as string] },
  );
  if (Array.isArray(window)) return refused(SOURCE, window);

  const servicesField = `issue.fields.${fieldIds.affectedServices}`;
  const refs = serviceRefs(fields[fieldIds.affectedServices as string]);
  if (refs.length === 0) {
    return refused(SOURCE, [
      { field: servicesField, message: 'names no affected service: name the services the change touches (graph nodes list them under `services`)' },
    ]);
  }
  const known = knownNodes(SOURCE, nodesByService(catalog, refs), 'service', {
    field: servicesField,
    fix: 'list these service names or ids under `services` on the graph nodes they are',
  });
  if ('refusal' in known) return known.refusal;
  const summary = typeof fields.summary === 'string' && fields.summary.trim() !== '' ? fields.summary.trim() : `Change ${issue.key}`;
  const events = announceChange(SOURCE, {
    key,
    version,
    changeId,
    occurredAt,
    actor,
    title: summary,
    window,
    impacts: impactsOn(SOURCE, cfg, known.nodes),
    ...(stage === 'started' ? { startedAt: occurredAt } : {}),
  });
  return produced(SOURCE, events, known.unknownNames);
};
