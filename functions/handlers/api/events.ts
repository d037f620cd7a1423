/**
 * POST /events: a change or incident event from the console (or a script) onto the bus. It is checked
 * against the event schemas first, so the caller learns at once what is wrong (ingest checks again);
 * it is answered 202 only once EventBridge has taken it. The event records who put it there: the
 * signed-in caller is its actor, whatever the body says.
 */
import { isEventsNotAcceptedError, type PipelineEvents } from '../../adapters/eventbridge.ts';
import { CONSOLE_SOURCE, EventValidationError, parseEvent } from '../../domain/events/index.ts';
import { actorOf, signedIn, type Caller } from './access.ts';
import { endpoint, type ApiDependencies, type SubmittedEvent } from './endpoint.ts';
import { ApiError, badRequest, type Problem } from './http.ts';

export interface EventAcceptedView {
  accepted: true;
}

export { CONSOLE_SOURCE } from '../../domain/events/index.ts';

/** How a client should wait before sending again after the bus was unavailable. */
const RETRY_AFTER_SECONDS = '5';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The body with the caller as the actor of its detail: an actor named in the body is replaced (only
 * the token says who someone is). A body that is not an event is left alone for the checks to name.
 */
export const withActor = (body: unknown, caller: Caller): unknown =>
  isObject(body) && isObject(body.detail) ? { ...body, detail: { ...body.detail, actor: actorOf(caller) } } : body;

/** The problems of an event as the event schemas see them (field `detail.x`); none when it is valid. */
export const eventProblems = (event: unknown, now: number): Problem[] => {
  try {
    parseEvent(event, { receivedAt: now });
    return [];
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    return error.issues;
  }
};

/**
 * Puts events on the bus in one request; when EventBridge does not take them, the caller learns whether
 * to send again (503, Retry-After) or to tell the platform team (502). Nothing is stored either way.
 */
export const submitOrExplain = async (deps: Pick<ApiDependencies, 'submit'>, events: readonly SubmittedEvent[]): Promise<void> => {
  try {
    await deps.submit(events);
  } catch (error) {
    if (!isEventsNotAcceptedError(error)) throw error;
    if (error.code === 'unavailable') {
      throw new ApiError('bus-unavailable', `the event was not accepted: ${error.message}; nothing was stored, send it again in a few seconds`, {
        cause: error,
        headers: { 'retry-after': RETRY_AFTER_SECONDS },
      });
    }
    throw new ApiError('bus-refused', `the event bus refused the event: ${error.message}; nothing was stored, tell the platform team`, { cause: error });
  }
};

/** A checked event from the console or a script, as the console's source puts it on the bus. */
export const fromConsole = (event: { 'detail-type': string; detail: unknown }): SubmittedEvent => ({
  'detail-type': event['detail-type'],
  source: CONSOLE_SOURCE,
  detail: event.detail,
});

export const putEvent = endpoint({ body: 'json', status: 202 }, async ({ body, caller }, deps): Promise<EventAcceptedView> => {
  const event = withActor(body, signedIn(caller, 'POST /events'));
  const problems = eventProblems(event, deps.now());
  if (problems.length > 0) throw badRequest(problems);
  await submitOrExplain(deps, [fromConsole(event as { 'detail-type': string; detail: unknown })]);
  return { accepted: true };
});

/** The Lambda's way onto the bus: the pipeline's EventBridge adapter, with its per-entry checks and retries. */
export const submitTo = (bus: PipelineEvents) => (events: readonly SubmittedEvent[]) =>
  bus.put(events.map((event) => ({ source: event.source, detailType: event['detail-type'], detail: event.detail })));
