/**
 * ingest (EventBridge rule target): validate, dedupe, append to the event store. A bad event, and an
 * event on a subject another source opened (domain/events/ownership.ts), is recorded with its reasons,
 * emitted as `Event Rejected` and counted; it never blocks the next one.
 * CloudWatch alarm state changes open and resolve incidents on the nodes that list the alarm.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import {
  EventValidationError,
  alarmToIncidentEvents,
  claimedEventId,
  formatIssue,
  isAlarmEvent,
  ownershipProblem,
  parseAlarmEvent,
  parseEvent,
  type EventIssue,
  type ImpactEvent,
} from '../domain/events/index.ts';
import { isSubjectOwnedError, type AppendResult } from '../adapters/event-store.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';

export interface IngestResult {
  appended: number;
  duplicates: number;
  rejected: number;
}

/** A refused event: recorded with its reasons, emitted as `Event Rejected` and counted; the next one goes on. */
const reject = async (deps: Dependencies, raw: unknown, r: { eventId?: string; detailType?: string; issues: EventIssue[]; receivedAt: number }) => {
  const reasons = r.issues.map(formatIssue);
  await deps.projections.recordRejection({ eventId: r.eventId, detailType: r.detailType, reasons, receivedAt: r.receivedAt, raw: JSON.stringify(raw) });
  await deps.pipelineEvents.emit([{ detailType: 'Event Rejected', detail: { eventId: r.eventId, detailType: r.detailType, reasons, receivedAt: new Date(r.receivedAt).toISOString() } }]);
  metrics.addMetric('EventsRejected', MetricUnit.Count, 1);
  // The reasons quote the bad values, which may be anything a producer sent: the log names only the fields.
  logger.warn('event rejected', { eventId: r.eventId, detailType: r.detailType, fields: r.issues.map((i) => i.field) });
};

export const ingest = async (deps: Dependencies, raw: unknown): Promise<IngestResult> => {
  const receivedAt = deps.now();
  const result: IngestResult = { appended: 0, duplicates: 0, rejected: 0 };
  let events: ImpactEvent[];
  try {
    if (isAlarmEvent(raw)) {
      const alarm = parseAlarmEvent(raw, { receivedAt });
      const { topology } = await deps.graph.topology();
      events = alarmToIncidentEvents(alarm, [...topology.components.values(), ...topology.touchpoints.values()]);
      if (events.length === 0) logger.info('alarm maps to no incident', { alarmName: alarm.alarmName, state: alarm.state });
    } else {
      events = [parseEvent(raw, { receivedAt })];
    }
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    await reject(deps, raw, { eventId: claimedEventId(raw), detailType: error.detailType, issues: error.issues, receivedAt });
    return { ...result, rejected: 1 };
  }
  for (const event of events) {
    let outcome: AppendResult;
    try {
      outcome = await deps.events.append(event, receivedAt);
    } catch (error) {
      if (!isSubjectOwnedError(error)) throw error;
      await reject(deps, raw, { eventId: event.eventId, detailType: event.detailType, issues: [ownershipProblem(error.subjectKey, error.owner, error.source)], receivedAt });
      result.rejected++;
      continue;
    }
    if (outcome.status === 'appended') result.appended++;
    else result.duplicates++;
    logger.info(outcome.status === 'appended' ? 'event appended' : 'duplicate event ignored', {
      eventId: event.eventId,
      detailType: event.detailType,
      subject: `${event.subjectType}#${event.subjectId}`,
      // Who did it, by kind only: an actor's id, name or e-mail may be personal data.
      ...(event.detail.actor ? { actorType: event.detail.actor.type } : {}),
      ...(outcome.status === 'appended' ? { version: outcome.version } : {}),
    });
  }
  metrics.addMetric('EventsAppended', MetricUnit.Count, result.appended);
  metrics.addMetric('DuplicateEvents', MetricUnit.Count, result.duplicates);
  return result;
};

export const buildIngestHandler = (deps: Dependencies) =>
  middy((event: EventBridgeEvent<string, unknown>, _context: Context) => ingest(deps, event))
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));

let lazy: ReturnType<typeof buildIngestHandler> | undefined;
export const handler = (event: EventBridgeEvent<string, unknown>, context: Context) => (lazy ??= buildIngestHandler(fromEnvironment()))(event, context);
