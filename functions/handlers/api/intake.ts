/**
 * POST /intake/{source}: what ServiceNow, Jira, PagerDuty and Alertmanager send, onto the bus as the
 * pipeline's own events. No Cognito token (vendors cannot sign in): the request is checked against the
 * source's secret over the raw body first (401, recorded, when it fails); then the source's pure mapper
 * (functions/domain/intake) decides: events go on the bus in one PutEvents (202), a payload that says
 * nothing about customers is ignored (202 with the reason), one that cannot be used is refused (400 with
 * the reasons, recorded like a bad event). Vendor ids become event ids, so a redelivery is one event.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventValidationError, parseEvent, type ImpactEvent } from '../../domain/events/index.ts';
import {
  HTTP_INTAKE_SOURCES,
  describeSchemes,
  isHttpIntakeSource,
  mapIntake,
  refusalRecord,
  verifyIntakeRequest,
  type HttpIntakeSource,
  type IntakeRefusal,
  type UnknownName,
} from '../../domain/intake/index.ts';
import { recordRejection } from '../shared/rejections.ts';
import { logger, metrics } from '../shared/powertools.ts';
import type { ApiDependencies, Endpoint } from './endpoint.ts';
import { submitOrExplain } from './events.ts';
import { ApiError, bodyBytes } from './http.ts';

export interface IntakeAcceptedView {
  accepted: true;
  source: HttpIntakeSource;
  /** The events put on the bus, each with the subject it belongs to (`change#CHG0030002`). */
  events: { detailType: string; eventId: string; subject: string }[];
  /** Names of the payload no graph node lists; the events cover the nodes that matched. */
  unknownNames: UnknownName[];
}

export interface IntakeIgnoredView {
  accepted: false;
  source: HttpIntakeSource;
  /** Why nothing was put on the bus (a change still in review, a test ping). */
  ignored: string;
}

const SECRET_HELP = 'README, "Intake from your tools"';

const unknownSource = (source: string) =>
  new ApiError(
    'not-found',
    `no intake source ${JSON.stringify(source)}; post to /intake/<source> with one of ${HTTP_INTAKE_SOURCES.join(', ')}` +
      (source === 'aws-health' ? ' (AWS Health events come through EventBridge: the stack forwards aws.health from the default bus)' : ''),
  );

/** Refuses the request when it is not signed with the source's secret; the rejection names the check, never a credential. */
const authenticate = async (
  deps: ApiDependencies,
  source: HttpIntakeSource,
  event: APIGatewayProxyEventV2,
  body: Buffer,
  base: RejectionBase,
): Promise<void> => {
  const schemes = deps.intake ? await deps.intake.credentials.schemesFor(source) : [];
  if (schemes === 'unsigned') return;
  const result = verifyIntakeRequest({ headers: event.headers ?? {}, body }, schemes);
  if (result.status === 'ok') return;
  // An unauthenticated sender's body is not kept: only that a request came, and why it was refused.
  await recordRejection(deps, { ...base, code: result.status, reasons: [result.reason], raw: '' });
  const how = schemes.length > 0 ? `sign it with ${describeSchemes(schemes)}` : `configure the ${source} secret first`;
  throw new ApiError(
    'unauthenticated',
    `${source} request refused (${result.status}): ${result.reason}; ${how} using the ${source} intake secret (${SECRET_HELP})`,
    {
      headers: {
        'www-authenticate': schemes.some((s) => s.type === 'basic') ? 'Basic realm="impact intake", charset="UTF-8"' : 'Bearer realm="impact intake"',
      },
    },
  );
};

interface RejectionBase {
  eventId: string;
  source: HttpIntakeSource;
  receivedAt: number;
  fields: string[];
}

const refuse = async (deps: ApiDependencies, refusal: IntakeRefusal, body: Buffer, base: RejectionBase): Promise<never> => {
  await recordRejection(deps, { ...base, ...refusalRecord(refusal), raw: body.toString('utf8'), fields: refusal.issues.map((i) => i.field) });
  const names =
    refusal.unknownNames.length > 0 ? `; names no graph node lists: ${refusal.unknownNames.map((u) => `${u.kind} ${JSON.stringify(u.value)}`).join(', ')}` : '';
  throw new ApiError('bad-request', `${refusal.source} payload refused (${refusal.code})${names}`, {
    problems: refusal.issues.map((i) => ({ field: i.field, message: i.message })),
  });
};

const receive = async (deps: ApiDependencies, event: APIGatewayProxyEventV2, source: string): Promise<IntakeAcceptedView | IntakeIgnoredView> => {
  if (!isHttpIntakeSource(source)) throw unknownSource(source);
  const receivedAt = deps.now();
  const base: RejectionBase = { eventId: `intake:${source}:${event.requestContext?.requestId ?? receivedAt}`, source, receivedAt, fields: [] };
  const body = bodyBytes(event);
  await authenticate(deps, source, event, body, base);

  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch (error) {
    const message = `is not JSON (${(error as Error).message}); send the tool's webhook payload as it is`;
    return refuse(deps, { kind: 'refused', source, code: 'invalid-payload', issues: [{ field: 'body', message }], unknownNames: [] }, body, base);
  }
  const outcome = mapIntake(source, payload, { catalog: await deps.graph.intakeCatalog(), config: deps.intake?.config });
  if (outcome.kind === 'refused') return refuse(deps, outcome, body, base);
  if (outcome.kind === 'ignored') {
    metrics.addMetric('IntakeIgnored', MetricUnit.Count, 1);
    logger.info('intake payload ignored', { source, reason: outcome.reason });
    return { accepted: false, source, ignored: outcome.reason };
  }
  const parsed: ImpactEvent[] = [];
  for (const e of outcome.events) {
    try {
      parsed.push(parseEvent(e, { receivedAt }));
    } catch (error) {
      // A mapper's event the catalog refuses (a mapper bug, or a vendor value no schema foresaw): refused like any bad event.
      if (!(error instanceof EventValidationError)) throw error;
      return refuse(
        deps,
        { kind: 'refused', source, code: 'invalid-payload', issues: error.issues.map((i) => ({ field: i.field, message: i.message })), unknownNames: [] },
        body,
        base,
      );
    }
  }
  await submitOrExplain(
    deps,
    outcome.events.map((e) => ({ 'detail-type': e['detail-type'], source: e.source, detail: e.detail })),
  );
  metrics.addMetric('IntakeEvents', MetricUnit.Count, parsed.length);
  logger.info('intake events put on the bus', { source, events: parsed.map((e) => e.eventId), unknownNames: outcome.unknownNames.length });
  return {
    accepted: true,
    source,
    events: parsed.map((e) => ({ detailType: e.detailType, eventId: e.eventId, subject: `${e.subjectType}#${e.subjectId}` })),
    unknownNames: outcome.unknownNames,
  };
};

export const intake: Endpoint<IntakeAcceptedView | IntakeIgnoredView> = {
  paramNames: ['source'],
  takesBody: true,
  status: 202,
  run: ({ event, params }, deps) => receive(deps, event, params.source),
};
