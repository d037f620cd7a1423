/**
 * What the pipeline does with input it will not use (a bad event at ingest, a refused or unsigned intake
 * request at the API): record it with its reasons (90 days), emit `Event Rejected`, count it. The log
 * line names only the fields and codes: the reasons quote what was sent, which may be anything.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PipelineEvents } from '../../adapters/eventbridge.ts';
import type { Projections } from '../../adapters/projections.ts';
import { logger, metrics } from './powertools.ts';

export interface Rejection {
  eventId?: string;
  detailType?: string;
  /** Where it came from, when known: an intake source (`pagerduty`), or the producer's `source`. */
  source?: string;
  /** Why, for callers that branch on it: `missing` / `mismatch` (signature), `invalid-payload`, `unknown-names`. */
  code?: string;
  reasons: string[];
  /** Names in a tool's payload that no graph node lists (`ci`, `services`, `alerts`, `awsHealth`). */
  unknownNames?: { kind: string; value: string }[];
  /** The offending input as received (cut to 16 KB); empty when it is not kept (an unsigned request's body). */
  raw: string;
  receivedAt: number;
  /** Field names for the log line, never values. */
  fields?: string[];
}

export const recordRejection = async (deps: { projections: Projections; pipelineEvents: PipelineEvents }, r: Rejection): Promise<void> => {
  const { fields, ...record } = r;
  await deps.projections.recordRejection(record);
  const { raw: _raw, receivedAt, ...told } = record;
  await deps.pipelineEvents.emit([{ detailType: 'Event Rejected', detail: { ...told, receivedAt: new Date(receivedAt).toISOString() } }]);
  metrics.addMetric('EventsRejected', MetricUnit.Count, 1);
  logger.warn('event rejected', { eventId: r.eventId, detailType: r.detailType, source: r.source, code: r.code, fields });
};
