/**
 * AWS Health events, as EventBridge delivers them (source aws.health) -> events on the nodes that list the
 * affected service (and region) under `awsHealth`:
 *   issue, investigation:  open -> Incident Opened;  closed -> Incident Resolved
 *   scheduledChange:       upcoming -> Change Scheduled;  open -> Change Scheduled, + Change Started once
 *                          its start time has passed;  closed -> Change Completed
 *   accountNotification and abuse events say nothing about service: ignored.
 * A scheduled change without an end time (AWS gives none for future events) gets a window of
 * `aws-health.scheduledChangeMinutes` (default 60). Times are RFC 1123 ("Fri, 27 Jan 2023 06:02:51 GMT").
 * The event id is eventArn + statusCode + lastUpdatedTime: the pages of one communication and the copy sent
 * to the backup region are one event.
 */
import { z } from 'zod';
import type { IntakeContext, IntakeIssue, IntakeOutcome } from './contract.ts';
import { DEFAULT_SCHEDULED_CHANGE_MINUTES, impactsOn, severityFor, severityOnNodes } from './config.ts';
import { nodesByAwsHealth } from './catalog.ts';
import { announceChange, closeChange } from './changes.ts';
import { clipText, eventIdFrom, ignored, intakeEvent, issuesFrom, produced, refused, subjectIdFrom, toolActor, unknownNamesRefusal } from './envelope.ts';
import { TIME_FORMATS_HINT, isoOf, vendorTime } from './times.ts';

const SOURCE = 'aws-health';
/** How AWS Health events arrive on EventBridge (the default bus; lib/routes.ts forwards them to ours). */
export const AWS_HEALTH_SOURCE = 'aws.health';
export const AWS_HEALTH_DETAIL_TYPE = 'AWS Health Event';
const HEALTH_DETAIL_TYPE = AWS_HEALTH_DETAIL_TYPE;

/** Whether a raw event is one AWS Health sent (mapped by mapAwsHealth, not parsed as a pipeline event). */
export const isAwsHealthEvent = (raw: unknown): boolean =>
  !!raw && typeof raw === 'object' && (raw as Record<string, unknown>)['detail-type'] === AWS_HEALTH_DETAIL_TYPE;

const eventSchema = z.object(
  {
    'detail-type': z.string({ error: `is required: "${HEALTH_DETAIL_TYPE}"` }),
    source: z.literal(AWS_HEALTH_SOURCE, { error: 'must be aws.health: only AWS Health events are read here' }),
    time: z.string().optional(),
    region: z.string().optional(),
    account: z.string().optional(),
    detail: z.object(
      {
        eventArn: z.string({ error: 'is required: the AWS Health event ARN' }).min(1),
        service: z.string({ error: 'is required: the AWS service, e.g. EC2' }).min(1),
        eventTypeCode: z.string({ error: 'is required, e.g. AWS_EC2_OPERATIONAL_ISSUE' }).min(1),
        eventTypeCategory: z.string({ error: 'is required: issue, investigation, scheduledChange or accountNotification' }),
        statusCode: z.string({ error: 'is required: open, upcoming or closed' }),
        startTime: z.string().optional(),
        endTime: z.string().optional(),
        lastUpdatedTime: z.string().optional(),
        eventRegion: z.string().optional(),
        affectedAccount: z.string().optional(),
      },
      { error: 'is required: the AWS Health event detail' },
    ),
  },
  { error: 'must be an AWS Health event as EventBridge delivers it' },
);

/** arn:aws:health:<region>::event/<service>/<type>/<id> -> HEALTH-<region>-<id> */
const subjectIdOf = (eventArn: string): string => {
  const parts = eventArn.split(':');
  const last = parts.slice(5).join(':').split('/').pop();
  return parts.length >= 6 && parts[3] && last ? subjectIdFrom('HEALTH-', `${parts[3]}-${last}`) : subjectIdFrom('HEALTH-', eventArn);
};

export const mapAwsHealth = (payload: unknown, { catalog, config }: IntakeContext): IntakeOutcome => {
  const parsed = eventSchema.safeParse(payload);
  if (!parsed.success) return refused(SOURCE, issuesFrom(parsed.error, payload));
  const event = parsed.data;
  const d = event.detail;
  if (event['detail-type'] !== HEALTH_DETAIL_TYPE) return ignored(SOURCE, `${event['detail-type']} says nothing about service availability`);
  const category = d.eventTypeCategory;
  const status = d.statusCode;
  const isIssue = category === 'issue' || category === 'investigation';
  if (!isIssue && category !== 'scheduledChange') return ignored(SOURCE, `${category} events (${d.eventTypeCode}) say nothing about service availability`);
  if (isIssue && status === 'upcoming') return ignored(SOURCE, `${d.eventTypeCode} is upcoming: an issue opens when AWS says it is open`);
  if (!['open', 'upcoming', 'closed'].includes(status)) {
    return refused(SOURCE, [{ field: 'detail.statusCode', message: `must be open, upcoming or closed (got ${JSON.stringify(status)})` }]);
  }

  const issues: IntakeIssue[] = [];
  const updated = vendorTime(d.lastUpdatedTime) ?? vendorTime(event.time);
  const start = vendorTime(d.startTime);
  const end = vendorTime(d.endTime);
  if (updated === undefined) {
    issues.push({
      field: 'detail.lastUpdatedTime',
      message: `is required (or the event's time): ${TIME_FORMATS_HINT} (got ${JSON.stringify(d.lastUpdatedTime ?? null)})`,
    });
  }
  if (status !== 'closed' && start === undefined) {
    issues.push({
      field: 'detail.startTime',
      message: `is required while the event is ${status}: ${TIME_FORMATS_HINT} (got ${JSON.stringify(d.startTime ?? null)})`,
    });
  }
  if (issues.length > 0 || updated === undefined) return refused(SOURCE, issues);

  const region = d.eventRegion ?? event.region;
  const subjectId = subjectIdOf(d.eventArn);
  const common = {
    eventId: eventIdFrom(SOURCE, d.eventArn, status, String(updated)),
    occurredAt: isoOf(updated),
    // "account:" keeps a 12-digit account id from looking like a phone number to the contact-detail guard.
    actor: toolActor(SOURCE, (d.affectedAccount ?? event.account) && `account:${d.affectedAccount ?? event.account}`, 'AWS Health'),
  };
  const closedAt = isoOf(end ?? updated);
  if (status === 'closed') {
    return produced(SOURCE, [
      isIssue
        ? intakeEvent(SOURCE, 'Incident Resolved', { ...common, incidentId: subjectId, resolvedAt: closedAt })
        : closeChange(SOURCE, 'completed', {
            key: d.eventArn,
            changeId: subjectId,
            occurredAt: common.occurredAt,
            actor: common.actor,
            text: `${d.eventTypeCode} closed by AWS`,
          }),
    ]);
  }

  const nodes = nodesByAwsHealth(catalog, d.service, region);
  if (nodes.length === 0) {
    const unknownNames = [{ kind: 'awsHealth' as const, value: `${d.service} in ${region ?? 'an unnamed region'}` }];
    return unknownNamesRefusal(
      SOURCE,
      'detail.service',
      unknownNames,
      `list { service: ${d.service}, region: ${region ?? '<region>'} } under \`awsHealth\` on the graph nodes that run on it`,
    );
  }
  const cfg = config?.['aws-health'];
  const impacts = impactsOn(SOURCE, cfg, nodes);
  const title = clipText(`AWS Health: ${d.eventTypeCode} (${d.service}${region ? `, ${region}` : ''})`);
  const startIso = isoOf(start as number);
  if (isIssue) {
    const severity = severityOnNodes(severityFor(SOURCE, cfg, [d.eventTypeCode]), cfg, nodes);
    return produced(SOURCE, [intakeEvent(SOURCE, 'Incident Opened', { ...common, incidentId: subjectId, title, severity, impacts, startedAt: startIso })]);
  }
  const minutes = cfg?.scheduledChangeMinutes ?? DEFAULT_SCHEDULED_CHANGE_MINUTES;
  const windowEnd = end !== undefined && end > (start as number) ? end : (start as number) + minutes * 60_000;
  const events = announceChange(SOURCE, {
    key: d.eventArn,
    version: `${status}:${updated}`,
    changeId: subjectId,
    occurredAt: common.occurredAt,
    actor: common.actor,
    title,
    window: { start: start as number, end: windowEnd },
    impacts,
    // AWS's own example sends a retirement months ahead as "open": a change starts once its start has passed.
    ...(status === 'open' && (start as number) <= updated ? { startedAt: common.occurredAt } : {}),
  });
  return produced(SOURCE, events);
};
