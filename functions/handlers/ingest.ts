/**
 * ingest (EventBridge rule target): validate, dedupe, append to the event store. A bad event, and an
 * event on a subject another source opened (domain/events/ownership.ts), is recorded with its reasons,
 * emitted as `Event Rejected` and counted; it never blocks the next one.
 * CloudWatch alarm state changes open and resolve incidents on the nodes that list the alarm; AWS Health
 * events (forwarded from the default bus, since clients cannot put `aws.*` sources) are mapped by intake's
 * mapAwsHealth to incidents and changes on the nodes that list the service under `awsHealth`.
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
  type ImpactEvent,
} from '../domain/events/index.ts';
import { isSubjectOwnedError, type AppendResult } from '../adapters/event-store.ts';
import { AWS_HEALTH_DETAIL_TYPE, isAwsHealthEvent, mapAwsHealth, refusalRecord } from '../domain/intake/index.ts';
import { fromEnvironment, type Dependencies } from './shared/dependencies.ts';
import { recordRejection } from './shared/rejections.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';

export interface IngestResult {
  appended: number;
  duplicates: number;
  rejected: number;
}

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
    } else if (isAwsHealthEvent(raw)) {
      const outcome = mapAwsHealth(raw, { catalog: await deps.graph.intakeCatalog(), config: deps.settings.intake });
      if (outcome.kind === 'refused') {
        await recordRejection(deps, {
          eventId: claimedEventId(raw),
          detailType: AWS_HEALTH_DETAIL_TYPE,
          ...refusalRecord(outcome),
          raw: JSON.stringify(raw),
          receivedAt,
          fields: outcome.issues.map((i) => i.field),
        });
        return { ...result, rejected: 1 };
      }
      if (outcome.kind === 'ignored') logger.info('AWS Health event maps to nothing', { eventId: claimedEventId(raw), reason: outcome.reason });
      events = outcome.kind === 'events' ? outcome.events.map((e) => parseEvent(e, { receivedAt })) : [];
    } else {
      events = [parseEvent(raw, { receivedAt })];
    }
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    await recordRejection(deps, {
      eventId: claimedEventId(raw),
      detailType: error.detailType,
      reasons: error.issues.map(formatIssue),
      raw: JSON.stringify(raw),
      receivedAt,
      fields: error.issues.map((i) => i.field),
    });
    return { ...result, rejected: 1 };
  }
  for (const event of events) {
    let outcome: AppendResult;
    try {
      outcome = await deps.events.append(event, receivedAt);
    } catch (error) {
      if (!isSubjectOwnedError(error)) throw error;
      const issue = ownershipProblem(error.subjectKey, error.owner, error.source);
      await recordRejection(deps, {
        eventId: event.eventId,
        detailType: event.detailType,
        source: error.source,
        code: 'subject-owned',
        reasons: [formatIssue(issue)],
        raw: JSON.stringify(raw),
        receivedAt,
        fields: [issue.field],
      });
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
