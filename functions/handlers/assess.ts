/**
 * assess (DynamoDB Stream of the event store, inserts of events only): fold the subject, assess it
 * against the stored graph, write the projections, plan the notices against the ledger and hand them
 * to notify as SQS jobs, brief the support teams, schedule reminders, emit `Impact Assessed`.
 * Records run in order (not in parallel); failures are reported per record (partial batch response).
 * Replayed events rebuild projections and never notify. The rules are in domain/notices.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { toStoredEvent } from '../adapters/event-store.ts';
import { JOB_CUSTOMERS, SEND_EVERYTHING, briefingJob, briefingKind, buildBriefings, heldNotices, mayBeHeld, noticeDue, noticeMode, paceChunks, toJobs, triggersFor, type Job } from '../domain/notices/index.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { planSubject } from './shared/plan-subject.ts';
import { projectSubject } from './shared/project-subject.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';

export const assessRecord = async (deps: Dependencies, record: DynamoDBRecord): Promise<void> => {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.kind !== 'event') return;
  const stored = toStoredEvent(item);
  const { subjectKey, event } = stored;
  const projected = await projectSubject({ events: deps.events, graph: deps.graph, projections: deps.projections }, subjectKey, undefined, deps.now());
  const { state, eventVersion } = projected.projection;
  const { assessment, records } = projected.detailed;
  logger.info('subject assessed', { subject: subjectKey, status: state.status, version: stored.version, customers: assessment.summary.customers, touchpoints: assessment.summary.touchpoints, changed: projected.changed });
  if (event.replayName) {
    metrics.addMetric('ReplayedEvents', MetricUnit.Count, 1);
    return;
  }

  const { plan, folded, sent, source, topology } = await planSubject(deps, {
    subjectKey,
    state,
    eventVersion,
    affected: assessment.customers,
    profiles: records,
    before: projected.previousImpacts,
    touchpoints: assessment.touchpoints,
    at: event.occurredAt,
  });
  if (folded > 0) metrics.addMetric('NoticesFoldedIntoChange', MetricUnit.Count, folded);
  const policy = deps.settings.approvalPolicy ?? SEND_EVERYTHING;
  const mode = noticeMode({ state, notify: event.detail.notify, policy, anythingSent: sent.length > 0 });
  const messages: { body: Job; delaySeconds: number }[] = [];
  if (mode === 'hold') {
    // Kept as counts; Notices Approved plans again against the ledger (see domain/notices/approval.ts).
    const before = await deps.projections.getHeld(subjectKey);
    await deps.projections.putHeld(heldNotices(plan, source, { subjectKey, since: state.draft?.since ?? before?.since ?? event.occurredAt, eventVersion }));
    metrics.addMetric('NoticesHeld', MetricUnit.Count, plan.length);
  } else {
    if (mode === 'send') {
      const delays = paceChunks(plan.length, JOB_CUSTOMERS, deps.settings.snsMessagesPerSecond);
      messages.push(...toJobs(plan, source).map((job, i) => ({ body: job, delaySeconds: delays[i] ?? 0 })));
      if (mayBeHeld(state, policy)) await deps.projections.clearHeld(subjectKey);
    }
    // Support hears of every change, told to customers or not; a draft is briefed once it is approved.
    const kind = briefingKind({ changed: projected.changed, state, assessment, plan: mode === 'send' ? plan : [] });
    if (kind) messages.unshift(...buildBriefings(state, assessment, records, topology, kind).map((b) => ({ body: briefingJob(b), delaySeconds: 0 })));
  }
  await deps.jobs.send(messages);
  if (deps.reminders) {
    const triggers = triggersFor(state, deps.now(), deps.settings.reminderOffsetsHours, deps.settings.incidentCadenceMinutes);
    await deps.reminders.schedule(triggers.map((t) => ({ name: t.name, at: t.at, detail: noticeDue(subjectKey, t) })));
  }
  const sending = mode === 'send' ? plan.length : 0;
  await deps.pipelineEvents.emit([
    {
      detailType: 'Impact Assessed',
      detail: {
        subjectKey,
        status: state.status,
        scopeVersion: state.scopeVersion,
        summary: assessment.summary,
        unknownNodes: assessment.unknownNodes,
        noticesPlanned: sending,
        noticeMode: mode,
        ...(mode === 'hold' ? { noticesHeld: plan.length } : {}),
      },
    },
  ]);
  metrics.addMetric('NoticesPlanned', MetricUnit.Count, sending);
  if (mode !== 'send') logger.info('notices not sent', { subject: subjectKey, mode, planned: plan.length });
};

const processor = new BatchProcessor(EventType.DynamoDBStreams);

export const buildAssessHandler = (deps: Dependencies) =>
  middy((event: DynamoDBStreamEvent, context: Context) =>
    // In order, one record at a time: order only exists inside a subject (DESIGN section 10).
    processPartialResponse(event, (record: DynamoDBRecord) => assessRecord(deps, record), processor, { context, processInParallel: false }),
  )
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));

let lazy: ReturnType<typeof buildAssessHandler> | undefined;
export const handler = (event: DynamoDBStreamEvent, context: Context) => (lazy ??= buildAssessHandler(fromEnvironment()))(event, context);
