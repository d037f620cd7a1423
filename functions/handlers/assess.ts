/**
 * assess (DynamoDB Stream of the event store, inserts of events only): fold the subject, assess it
 * against the stored graph, write the projections, plan the notices against the ledger and hand them
 * to notify as SQS jobs, brief the support teams, schedule reminders, emit `Impact Assessed`.
 * Records run in order (not in parallel); failures are reported per record (partial batch response).
 * Replayed events rebuild projections and never notify.
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
import type { LedgerEntry } from '../adapters/ledger.ts';
import { buildBriefings, foldsIntoChange, paceChunks, planNotices, renderBriefing, toJobs, triggersFor, type Told } from '../domain/notices/index.ts';
import type { SubjectState } from '../domain/model.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { projectSubject } from './shared/project-subject.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';
import { REMIND_DETAIL_TYPE } from '../adapters/scheduler.ts';
import { JOB_CUSTOMERS } from '../domain/notices/jobs.ts';

export const toldBy = (entries: readonly LedgerEntry[]): Map<string, Told[]> => {
  const told = new Map<string, Told[]>();
  for (const e of entries) told.set(e.customerId, [...(told.get(e.customerId) ?? []), { kind: e.kind, version: e.version }]);
  return told;
};

/** Customers told about a change whose announced window and nodes cover this incident. */
const customersToldOfCoveringChange = async (deps: Dependencies, incident: SubjectState): Promise<Set<string>> => {
  const candidates = (await deps.projections.listSubjects()).filter(
    (s) => s.type === 'change' && s.status !== 'cancelled' && s.status !== 'completed' && s.start <= incident.window.start && (s.end === undefined || incident.window.start < s.end),
  );
  const informed = new Set<string>();
  for (const candidate of candidates) {
    const change = await deps.projections.getSubject(candidate.subjectKey);
    if (!change || !foldsIntoChange(incident, change.state)) continue;
    for (const e of await deps.ledger.sentAbout(candidate.subjectKey)) if (e.kind === 'change-notice' || e.kind === 'change-update' || e.kind === 'reminder') informed.add(e.customerId);
  }
  return informed;
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

  const ledger = await deps.ledger.sentAbout(subjectKey);
  const told = toldBy(ledger);
  // Customers no longer affected are reached on the channel they were last told on.
  const lastChannel = new Map(ledger.sort((a, b) => a.sentAt - b.sentAt).map((e) => [e.customerId, e.channel]));
  const planned = planNotices({ state, affected: assessment.customers, told, at: event.occurredAt });
  const informed = state.type === 'incident' ? await customersToldOfCoveringChange(deps, state) : new Set<string>();
  // An incident inside an announced change window on the same nodes: those told of the change know.
  const plan = informed.size === 0 ? planned : planned.filter((n) => !(informed.has(n.customerId) && (n.kind === 'incident-notice' || n.kind === 'incident-update')));
  if (plan.length < planned.length) metrics.addMetric('NoticesFoldedIntoChange', MetricUnit.Count, planned.length - plan.length);
  const index = new Map(assessment.customers.map((c, i) => [c.id, i]));
  const { topology } = await deps.graph.topology();
  const touchpointNames = Object.fromEntries(assessment.touchpoints.map((t) => [t.id, topology.touchpoints.get(t.id)?.name ?? t.id]));
  const before = new Map(projected.previousImpacts.map((c) => [c.customerId, c]));
  const jobs = toJobs(plan, {
    state,
    subjectKey,
    touchpointNames,
    customer: (id) => {
      const i = index.get(id);
      if (i !== undefined) return { assessed: assessment.customers[i], profile: records[i] };
      const channel = lastChannel.get(id);
      return { assessed: { notify: channel ? [channel as never] : [], touchpoints: before.get(id)?.touchpoints ?? [] }, profile: before.get(id) };
    },
  });
  const delays = paceChunks(plan.length, JOB_CUSTOMERS, deps.settings.snsMessagesPerSecond);
  const messages = jobs.map((job, i) => ({ body: job, delaySeconds: delays[i] ?? 0 }));
  if (projected.changed && (assessment.touchpoints.length > 0 || plan.length > 0)) {
    const kind = plan[0]?.kind ?? (state.type === 'change' ? 'change-update' : 'incident-update');
    for (const briefing of buildBriefings(state, assessment, records, topology, kind)) messages.unshift({ body: { type: 'briefing', briefing, text: renderBriefing(briefing) } as never, delaySeconds: 0 });
  }
  await deps.jobs.send(messages);
  if (deps.reminders) {
    const triggers = triggersFor(state, deps.now(), deps.settings.reminderOffsetsHours, deps.settings.incidentCadenceMinutes);
    await deps.reminders.schedule(triggers.map((t) => ({ name: t.name, at: t.at, detail: { subjectKey, kind: t.kind, version: t.version, type: REMIND_DETAIL_TYPE } })));
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
