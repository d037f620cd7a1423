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
import { SEND_EVERYTHING, isHeld, noticeDue, triggersFor } from '../domain/notices/index.ts';
import { SUBJECT_SHARDS } from '../adapters/dynamodb/layout.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { queuePlanJobs } from './shared/plan-jobs.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';

/**
 * Hands the due notices to the planner, one job per customer shard (plan.ts plans them against the
 * stored impacts and the ledger): however many customers a subject has, remind reads two items.
 */
export const remind = async (deps: Dependencies, due: NoticeDue): Promise<{ shards: number }> => {
  const projection = await deps.projections.getSubject(due.subjectKey);
  if (!projection) return { shards: 0 };
  const { state } = projection;
  const policy = deps.settings.approvalPolicy ?? SEND_EVERYTHING;
  // A held subject's schedule fires too: what it would remind of waits for approval like the rest.
  const held = isHeld({
    state,
    policy,
    anythingSent: Object.values(policy).includes('draft') || state.draft ? await deps.projections.anyNoticeSent(due.subjectKey) : true,
  });
  if (!held) await queuePlanJobs(deps, { type: 'scheduled-shard', subjectKey: due.subjectKey, kind: due.kind, version: due.version }, SUBJECT_SHARDS);
  if (due.kind === 'incident-update' && deps.reminders) {
    const next = triggersFor(state, deps.now(), deps.settings.reminderOffsetsHours, deps.settings.incidentCadenceMinutes);
    await deps.reminders.schedule(next.map((t) => ({ name: t.name, at: t.at, detail: noticeDue(due.subjectKey, t) })));
  }
  metrics.addMetric('ScheduledNoticesQueued', MetricUnit.Count, held ? 0 : 1);
  logger.info('scheduled notices handed to the planner', { subject: due.subjectKey, kind: due.kind, version: due.version, held });
  return { shards: held ? 0 : SUBJECT_SHARDS };
};

export const buildRemindHandler = (deps: Dependencies) =>
  middy((event: EventBridgeEvent<string, unknown>, _context: Context) => remind(deps, noticeDueSchema.parse(event.detail)))
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));

let lazy: ReturnType<typeof buildRemindHandler> | undefined;
export const handler = (event: EventBridgeEvent<string, unknown>, context: Context) => (lazy ??= buildRemindHandler(fromEnvironment()))(event, context);
