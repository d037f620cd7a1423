/**
 * PagerDuty v3 webhooks -> incident events, by event.event_type:
 *   incident.triggered, incident.reopened  -> Incident Opened (a reopen after resolution opens it again)
 *   incident.acknowledged                  -> Incident Updated (status investigating)
 *   incident.priority_updated              -> Incident Updated (severity)
 *   incident.resolved                      -> Incident Resolved
 *   anything else (annotated, escalated, service.*, pagey.ping) is ignored.
 * The incident is `PD-<incident id>`; its nodes are those listing the incident's service (id or name)
 * under `services`; severity from the priority (P1..P5) then the urgency (high/low), see config.ts.
 * Every webhook carries a unique event.id, which becomes the event id (a redelivery is one event).
 */
import { z } from 'zod';
import type { IntakeContext, IntakeOutcome } from './contract.ts';
import { impactsOn, severityFor, severityOnNodes } from './config.ts';
import { nodesByService } from './catalog.ts';
import { clipText, eventIdFrom, ignored, intakeEvent, issuesFrom, knownNodes, produced, refused, subjectIdFrom, toolActor } from './envelope.ts';
import { TIME_FORMATS_HINT, isoOf, vendorTime } from './times.ts';

const SOURCE = 'pagerduty';
const reference = z.object({ id: z.string().optional(), summary: z.string().optional() });

const webhookSchema = z.object(
  {
    event: z.object(
      {
        id: z.string({ error: 'is required: the unique id PagerDuty gives every webhook event' }).min(1),
        event_type: z.string({ error: 'is required, e.g. incident.triggered' }),
        occurred_at: z.string().optional(),
        agent: reference.nullish(),
        data: z.record(z.string(), z.unknown()).nullish(),
      },
      { error: 'is required: PagerDuty v3 webhooks carry one event object' },
    ),
  },
  { error: 'must be a PagerDuty v3 webhook body ({ "event": { ... } })' },
);

const incidentSchema = z.object(
  {
    id: z.string({ error: 'is required: the PagerDuty incident id' }).min(1),
    number: z.number().optional(),
    title: z.string().optional(),
    created_at: z.string().optional(),
    service: reference.nullish(),
    priority: z.object({ summary: z.string().optional() }).nullish(),
    urgency: z.string().nullish(),
    html_url: z.string().optional(),
  },
  { error: 'is required: the incident the event is about (event.data of an incident.* event)' },
);

const HANDLED = ['incident.triggered', 'incident.reopened', 'incident.acknowledged', 'incident.priority_updated', 'incident.resolved'];

export const mapPagerDuty = (payload: unknown, { catalog, config }: IntakeContext): IntakeOutcome => {
  const parsed = webhookSchema.safeParse(payload);
  if (!parsed.success) return refused(SOURCE, issuesFrom(parsed.error, payload));
  const { event } = parsed.data;
  if (!HANDLED.includes(event.event_type)) return ignored(SOURCE, `${event.event_type} does not change what customers see`);
  const data = incidentSchema.safeParse(event.data ?? undefined);
  if (!data.success) return refused(SOURCE, issuesFrom(data.error, event.data, 'event.data'));
  const incident = data.data;
  const at = vendorTime(event.occurred_at);
  if (at === undefined) {
    return refused(SOURCE, [
      { field: 'event.occurred_at', message: `is required: when it happened, ${TIME_FORMATS_HINT} (got ${JSON.stringify(event.occurred_at ?? null)})` },
    ]);
  }

  const incidentId = subjectIdFrom('PD-', incident.id);
  const common = {
    eventId: eventIdFrom(SOURCE, event.id),
    occurredAt: isoOf(at),
    actor: toolActor(SOURCE, event.agent?.id, event.agent?.summary),
    incidentId,
  };
  if (event.event_type === 'incident.resolved') {
    return produced(SOURCE, [intakeEvent(SOURCE, 'Incident Resolved', { ...common, resolvedAt: common.occurredAt })]);
  }

  const service = incident.service;
  const ref = [service?.id, service?.summary].filter((n): n is string => typeof n === 'string' && n.trim() !== '');
  if (ref.length === 0) {
    return refused(SOURCE, [
      { field: 'event.data.service', message: 'names no service: PagerDuty incidents belong to a service, which graph nodes list under `services`' },
    ]);
  }
  const known = knownNodes(SOURCE, nodesByService(catalog, [ref]), 'service', {
    field: 'event.data.service',
    fix: 'list the service id (or name) under `services` on the graph nodes it runs',
  });
  if ('refusal' in known) return known.refusal;
  const cfg = config?.pagerduty;
  const severity = severityOnNodes(severityFor(SOURCE, cfg, [incident.priority?.summary, incident.urgency ?? undefined]), cfg, known.nodes);
  const impacts = impactsOn(SOURCE, cfg, known.nodes);

  if (event.event_type === 'incident.acknowledged' || event.event_type === 'incident.priority_updated') {
    const status = event.event_type === 'incident.acknowledged' ? { status: 'investigating' as const } : {};
    return produced(SOURCE, [intakeEvent(SOURCE, 'Incident Updated', { ...common, ...status, severity, impacts })], known.unknownNames);
  }
  const created = vendorTime(incident.created_at);
  // A reopened incident starts again when it was reopened, not when it was first created.
  const startedAt = event.event_type === 'incident.reopened' || created === undefined ? at : created;
  const title = incident.title?.trim() || `PagerDuty incident ${incident.number ?? incident.id}`;
  return produced(
    SOURCE,
    [intakeEvent(SOURCE, 'Incident Opened', { ...common, title: clipText(title), severity, impacts, startedAt: isoOf(startedAt) })],
    known.unknownNames,
  );
};
