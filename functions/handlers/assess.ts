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
import {
  JOB_CUSTOMERS,
  briefingJob,
  briefingKind,
  buildBriefings,
  coversIncidentStart,
  customersTold,
  foldIntoCoveringChanges,
  foldsIntoChange,
  noticeDue,
  noticeRecipients,
  paceChunks,
  planNotices,
  toJobs,
  toldByCustomer,
  touchpointNamesOf,
  triggersFor,
  type Job,
} from '../domain/notices/index.ts';
import type { SubjectState } from '../domain/model.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { projectSubject } from './shared/project-subject.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';

/** Customers told of a live change that covers this incident (only the reads; the rule is foldsIntoChange). */
const customersToldOfCoveringChanges = async (deps: Dependencies, incident: SubjectState): Promise<Set<string>> => {
  const candidates = (await deps.projections.listSubjects()).filter((s) => coversIncidentStart({ ...s, window: { start: s.start, end: s.end } }, incident.window.start));
  const told = new Set<string>();
  for (const candidate of candidates) {
    const change = await deps.projections.getSubject(candidate.subjectKey);
    if (!change || !foldsIntoChange(incident, change.state)) continue;
    for (const id of customersTold(await deps.ledger.sentAbout(candidate.subjectKey), 'change')) told.add(id);
  }
  return told;
};

export const assessRecord = async (deps: Dependencies, record: DynamoDBRecord): Promise<void> => {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.kind !== 'event') return;
  const stored = toStoredEvent(item);
  const { subjectKey, event } = stored;
  const projected = await projectSubject({ events: deps.events, graph: deps.graph, projections: deps.projections }, subjectKey, undefined, deps.now());
  const { state } = projected.projection;
  const { assessment, records } = projected.detailed;
  logger.info('subject assessed', { subject: subjectKey, status: state.status, version: stored.version, customers: assessment.summary.customers, touchpoints: assessment.summary.touchpoints, changed: projected.changed });
  if (event.replayName) {
    metrics.addMetric('ReplayedEvents', MetricUnit.Count, 1);
    return;
  }

  const sent = await deps.ledger.sentAbout(subjectKey);
  const planned = planNotices({ state, affected: assessment.customers, told: toldByCustomer(sent), at: event.occurredAt });
  const { plan, folded } = state.type === 'incident' ? foldIntoCoveringChanges(planned, await customersToldOfCoveringChanges(deps, state)) : { plan: planned, folded: 0 };
  if (folded > 0) metrics.addMetric('NoticesFoldedIntoChange', MetricUnit.Count, folded);
  const { topology } = await deps.graph.topology();
  const jobs = toJobs(plan, {
    state,
    subjectKey,
    touchpointNames: touchpointNamesOf(assessment.touchpoints, topology),
    customer: noticeRecipients({ affected: assessment.customers, profiles: records, before: projected.previousImpacts, sent }),
  });
  const delays = paceChunks(plan.length, JOB_CUSTOMERS, deps.settings.snsMessagesPerSecond);
  const messages: { body: Job; delaySeconds: number }[] = jobs.map((job, i) => ({ body: job, delaySeconds: delays[i] ?? 0 }));
  const kind = briefingKind({ changed: projected.changed, state, assessment, plan });
  if (kind) messages.unshift(...buildBriefings(state, assessment, records, topology, kind).map((b) => ({ body: briefingJob(b), delaySeconds: 0 })));
  await deps.jobs.send(messages);
  if (deps.reminders) {
    const triggers = triggersFor(state, deps.now(), deps.settings.reminderOffsetsHours, deps.settings.incidentCadenceMinutes);
    await deps.reminders.schedule(triggers.map((t) => ({ name: t.name, at: t.at, detail: noticeDue(subjectKey, t) })));
  }
  await deps.pipelineEvents.emit([
    {
      detailType: 'Impact Assessed',
      detail: { subjectKey, status: state.status, scopeVersion: state.scopeVersion, summary: assessment.summary, unknownNodes: assessment.unknownNodes, noticesPlanned: plan.length },
    },
  ]);
  metrics.addMetric('NoticesPlanned', MetricUnit.Count, plan.length);
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
