/**
 * assess (DynamoDB Stream of the event store, inserts of events only): the light step of an
 * assessment. It folds the subject, propagates the impact over the topology (which touchpoints are
 * hit, no customers), stores the subject's state, decides whether notices are sent, held or not sent,
 * schedules reminders, and starts an assessment run: one planning job per customer shard (plan.ts),
 * whose fan-in briefs support and emits `Impact Assessed` once every shard is done. Its cost does not
 * grow with the number of customers, so a 390,000-customer incident is handed on in about a second
 * (issue 12). Records run in order (not in parallel); failures are reported per record (partial batch
 * response). Replayed events rebuild projections and never notify. The rules are in domain/.
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
import { EVENT_ITEM_KIND, SUBJECT_SHARDS } from '../adapters/dynamodb/layout.ts';
import type { AssessmentRun } from '../adapters/projections.ts';
import { canonicalJson } from '../domain/canonical.ts';
import { isAssessable } from '../domain/impact/assess.ts';
import { propagate } from '../domain/impact/propagate.ts';
import {
  SEND_EVERYTHING,
  coversIncidentStart,
  foldsIntoChange,
  mayBeHeld,
  noticeDue,
  noticeMode,
  touchpointNamesOf,
  triggersFor,
} from '../domain/notices/index.ts';
import { foldSubject } from '../domain/subject.ts';
import { touchpointTeamsOf } from '../domain/support.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { changesAt } from './shared/indexed-changes.ts';
import { queuePlanJobs } from './shared/plan-jobs.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';

const NO_SUMMARY = { touchpoints: 0, customers: 0, byEffect: {}, byChannel: {}, bySegment: {}, unreachable: 0 };

/** Live changes this incident folds into (only the reads; the rule is foldsIntoChange). */
const coveringChanges = async (deps: Dependencies, incident: AssessmentRun['state']): Promise<string[]> => {
  const candidates = (await changesAt(deps, incident.window.start)).filter((s) =>
    coversIncidentStart({ ...s, window: { start: s.start, end: s.end } }, incident.window.start),
  );
  const found: string[] = [];
  for (const candidate of candidates) {
    const change = await deps.projections.getSubject(candidate.subjectKey);
    if (change && foldsIntoChange(incident, change.state)) found.push(candidate.subjectKey);
  }
  return found;
};

export const assessRecord = async (deps: Dependencies, record: DynamoDBRecord): Promise<void> => {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.kind !== EVENT_ITEM_KIND) return;
  const { subjectKey, event, version } = toStoredEvent(item);
  const history = await deps.events.readSubject(subjectKey);
  const state = foldSubject(history.map((e) => e.event));
  const eventVersion = history.length > 0 ? history[history.length - 1].version : version;
  const [layout, { topology }, previous] = await Promise.all([deps.graph.layout(), deps.graph.topology(), deps.projections.getSubject(subjectKey)]);
  const propagation = propagate(topology, state.impacts);
  const touchpoints = isAssessable(state) ? propagation.touchpoints : [];

  const policy = deps.settings.approvalPolicy ?? SEND_EVERYTHING;
  const replay = !!event.replayName;
  const anythingSent = !replay && mayBeHeld(state, policy) ? await deps.projections.anyNoticeSent(subjectKey) : false;
  const mode = replay ? 'replay' : noticeMode({ state, notify: event.detail.notify, policy, anythingSent });
  const stateChanged = !previous || canonicalJson([previous.state, previous.touchpoints]) !== canonicalJson([state, touchpoints]);
  const now = deps.now();
  // The state at once; the customer counts follow when every shard is done (the fan-in in plan.ts).
  await deps.projections.putSubject({
    subjectKey,
    eventVersion,
    state,
    summary: { ...(previous?.summary ?? NO_SUMMARY), touchpoints: touchpoints.length },
    touchpoints,
    touchpointTeams: touchpointTeamsOf(touchpoints, topology),
    unknownNodes: propagation.unknownNodes,
    graphVersion: layout.version,
    updatedAt: now,
    // The console pages customers by these counts (kept by the fan-in); a new subject's pages fill in when its first run completes.
    byEffectSegment: previous?.byEffectSegment ?? {},
    assessing: eventVersion,
  });
  const run = await deps.projections.startRun({
    subjectKey,
    eventVersion,
    state,
    at: event.occurredAt,
    mode,
    touchpoints,
    channelEffects: Object.fromEntries(propagation.channelEffects),
    touchpointNames: touchpointNamesOf(touchpoints, topology),
    unknownNodes: propagation.unknownNodes,
    shards: SUBJECT_SHARDS,
    usageShards: layout.usageShards,
    graphVersion: layout.version,
    coveringChanges: state.type === 'incident' && isAssessable(state) && mode !== 'replay' ? await coveringChanges(deps, state) : [],
    stateChanged,
    startedAt: now,
  });
  await queuePlanJobs(deps, { type: 'assess-shard', subjectKey, eventVersion }, run.shards);
  logger.info('subject assessment started', {
    subject: subjectKey,
    status: state.status,
    version: eventVersion,
    touchpoints: touchpoints.length,
    mode,
    shards: run.shards,
  });
  if (replay) {
    metrics.addMetric('ReplayedEvents', MetricUnit.Count, 1);
    return;
  }
  if (mode === 'send' && mayBeHeld(state, policy)) await deps.projections.clearHeld(subjectKey);
  if (deps.reminders) {
    const triggers = triggersFor(state, deps.now(), deps.settings.reminderOffsetsHours, deps.settings.incidentCadenceMinutes);
    await deps.reminders.schedule(triggers.map((t) => ({ name: t.name, at: t.at, detail: noticeDue(subjectKey, t) })));
  }
};

export const buildAssessHandler = (deps: Dependencies) =>
  middy((event: DynamoDBStreamEvent, context: Context) =>
    // In order, one record at a time: order only exists inside a subject (DESIGN section 10).
    processPartialResponse(event, (record: DynamoDBRecord) => assessRecord(deps, record), new BatchProcessor(EventType.DynamoDBStreams), {
      context,
      processInParallel: false,
    }),
  )
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));

let lazy: ReturnType<typeof buildAssessHandler> | undefined;
export const handler = (event: DynamoDBStreamEvent, context: Context) => (lazy ??= buildAssessHandler(fromEnvironment()))(event, context);
