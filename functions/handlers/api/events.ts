/**
 * POST /events: a change or incident event from the console (or a script) onto the bus. It is checked
 * against the event schemas first, so the caller learns at once what is wrong (ingest checks again);
 * it is answered 202 only once EventBridge has taken it.
 */
import { isEventsNotAcceptedError, type PipelineEvents } from '../../adapters/eventbridge.ts';
import { CONSOLE_SOURCE, EventValidationError, parseEvent } from '../../domain/events/index.ts';
import { endpoint, type SubmittedEvent } from './endpoint.ts';
import { ApiError, badRequest } from './http.ts';

export interface EventAcceptedView {
  accepted: true;
}

export { CONSOLE_SOURCE } from '../../domain/events/index.ts';

/** How a client should wait before sending again after the bus was unavailable. */
const RETRY_AFTER_SECONDS = '5';

export const putEvent = endpoint({ body: 'json', status: 202 }, async ({ body }, deps): Promise<EventAcceptedView> => {
  try {
    parseEvent(body, { receivedAt: deps.now() });
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    throw badRequest(error.issues);
  }
  const { 'detail-type': detailType, detail } = body as { 'detail-type': string; detail: unknown };
  try {
    await deps.submit({ 'detail-type': detailType, source: CONSOLE_SOURCE, detail });
  } catch (error) {
    if (!isEventsNotAcceptedError(error)) throw error;
    if (error.code === 'unavailable') {
      throw new ApiError('bus-unavailable', `the event was not accepted: ${error.message}; nothing was stored, send it again in a few seconds`, { cause: error, headers: { 'retry-after': RETRY_AFTER_SECONDS } });
    }
    throw new ApiError('bus-refused', `the event bus refused the event: ${error.message}; nothing was stored, tell the platform team`, { cause: error });
  }
  return { accepted: true };
});

/** The Lambda's way onto the bus: the pipeline's EventBridge adapter, with its per-entry checks and retries. */
export const submitTo = (bus: PipelineEvents) => (event: SubmittedEvent) => bus.put([{ source: event.source, detailType: event['detail-type'], detail: event.detail }]);
