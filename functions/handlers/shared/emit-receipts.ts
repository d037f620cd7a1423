/**
 * Receipts put on the bus (source impact.pipeline): by the deliver functions (push, refusals at send
 * time) and by the receipts function for the providers' own events. The receipts function applies them
 * when they come back through their rule (receipts.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ReceiptOutcome } from '../../domain/delivery/index.ts';
import type { Dependencies } from './dependencies.ts';
import { logger, metrics } from './powertools.ts';

/** Puts the mapped receipts on the bus (source impact.pipeline); what was ignored is counted and logged with its reason. */
export const emitReceipts = async (deps: Pick<Dependencies, 'pipelineEvents'>, outcomes: readonly ReceiptOutcome[]): Promise<number> => {
  const receipts = outcomes.flatMap((o) => ('receipt' in o ? [o.receipt] : []));
  for (const o of outcomes) if ('ignored' in o) logger.info('provider event ignored', { reason: o.ignored });
  if (outcomes.length > receipts.length) metrics.addMetric('ProviderEventsIgnored', MetricUnit.Count, outcomes.length - receipts.length);
  if (receipts.length > 0) {
    await deps.pipelineEvents.emit(receipts.map(({ detailType, ...detail }) => ({ detailType, detail })));
    metrics.addMetric('ReceiptsEmitted', MetricUnit.Count, receipts.length);
  }
  return receipts.length;
};
