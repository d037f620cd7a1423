/**
 * remind (scheduled `Notice Due` events from EventBridge Scheduler, or the local runtime's timer):
 * reminders before a change window, the overrun notice when a started change outlives its window, and
 * incident cadence updates (scheduling the next one while the incident is open).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { noticeDueSchema, type NoticeDue } from '../domain/events/schemas.ts';
import {
  SEND_EVERYTHING,
  isHeld,
  lastTold,
  noticeDue,
  noticeRecipients,
  planScheduled,
  toJobs,
  toldByCustomer,
  touchpointNamesOf,
  triggersFor,
} from '../domain/notices/index.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';

export const remind = async (deps: Dependencies, due: NoticeDue): Promise<{ planned: number }> => {
  const projection = await deps.projections.getSubject(due.subjectKey);
  if (!projection) return { planned: 0 };
  const { state } = projection;
  const sent = await deps.ledger.sentAbout(due.subjectKey);
  // A held subject's schedule fires too: what it would remind of waits for approval like the rest.
  const held = isHeld({ state, policy: deps.settings.approvalPolicy ?? SEND_EVERYTHING, anythingSent: sent.length > 0 });
  const affected = await deps.projections.customersOfSubject(due.subjectKey);
  const plan = held ? [] : planScheduled(due.kind, state, affected.map((c) => ({ id: c.customerId, effect: c.effect })), toldByCustomer(sent), due.version);
  const { topology } = await deps.graph.topology();
  const told = lastTold(sent);
  const jobs = toJobs(plan, {
    state,
    subjectKey: due.subjectKey,
    eventVersion: projection.eventVersion,
    scheduled: true,
    touchpointNames: touchpointNamesOf(projection.touchpoints, topology),
    // Scheduled notices only go to customers affected now: the stored impacts say on which channel.
    customer: noticeRecipients({ affected: affected.map((c) => ({ ...c, id: c.customerId })), profiles: affected }),
    told: (id) => told.get(id),
  });
  await deps.jobs.send(jobs.map((body) => ({ body })));
  if (due.kind === 'incident-update' && deps.reminders) {
    const next = triggersFor(state, deps.now(), deps.settings.reminderOffsetsHours, deps.settings.incidentCadenceMinutes);
    await deps.reminders.schedule(next.map((t) => ({ name: t.name, at: t.at, detail: noticeDue(due.subjectKey, t) })));
  }
  metrics.addMetric('ScheduledNoticesPlanned', MetricUnit.Count, plan.length);
  logger.info('scheduled notices planned', { subject: due.subjectKey, kind: due.kind, version: due.version, planned: plan.length, held });
  return { planned: plan.length };
};

export const buildRemindHandler = (deps: Dependencies) =>
  middy((event: EventBridgeEvent<string, unknown>, _context: Context) => remind(deps, noticeDueSchema.parse(event.detail)))
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));

let lazy: ReturnType<typeof buildRemindHandler> | undefined;
export const handler = (event: EventBridgeEvent<string, unknown>, context: Context) => (lazy ??= buildRemindHandler(fromEnvironment()))(event, context);
