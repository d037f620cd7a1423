/**
 * Receipts applied (the receipts function, for each `Notice Delivered` / `Notice Failed` on the bus;
 * emit-receipts.ts puts them there).
 *
 * Applying a receipt moves its channel's state on the notice's delivery record and the subject's
 * counters in one step (adapters/deliveries.ts); what follows from the new state is then carried out
 * and noted on the record, so a receipt delivered again completes whatever a crash left undone and
 * does nothing twice:
 * - a permanent failure marks the contact unreachable, a complaint marks it opted out (contacts table,
 *   a blind write: never read here, never logged);
 * - a final failure queues the same notice as a fallback job for notify, which sends it once on the
 *   customer's next usable channel, or puts the customer on the "could not reach" list when none is left;
 * - a delivery takes the customer off that list for the subject.
 * Receipts do not go through the event store: see docs/decisions.md, Delivery.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DeliveryRecord } from '../../adapters/deliveries.ts';
import { fallbackJob, markFor, sameDelivery, stepOf } from '../../domain/delivery/index.ts';
import type { NoticeReceipt } from '../../domain/events/schemas.ts';
import type { NotifyChannel } from '../../domain/model.ts';
import { parseNoticeId, touchpointNamesOf, type NoticeJob, type NoticeKey } from '../../domain/notices/index.ts';
import type { Dependencies } from './dependencies.ts';
import { logger, metrics } from './powertools.ts';

type ApplyDeps = Pick<Dependencies, 'deliveries' | 'contacts' | 'jobs' | 'projections' | 'graph' | 'ledger' | 'now'>;

/** The fallback job of a notice that failed on every channel in `tried`, or why none can be built. */
const fallbackFor = async (deps: ApplyDeps, key: NoticeKey, record: DeliveryRecord, tried: NotifyChannel[]): Promise<NoticeJob | { reason: string }> => {
  const projection = await deps.projections.getSubject(key.subjectKey);
  if (!projection) return { reason: `${tried.join(', ')} failed; the subject has no projection to tell it again from` };
  const impact = (await deps.projections.impactsOfCustomer(key.customerId)).find((i) => i.subjectKey === key.subjectKey);
  // A customer no longer affected (an all-clear, a closing notice) is told of what the ledger says they were told.
  const told = impact ? undefined : (await deps.ledger.sentTo(key.subjectKey, key.customerId)).find((e) => e.kind === key.kind && e.version === key.version);
  const touchpoints = impact?.touchpoints ?? [];
  const { topology } = await deps.graph.topology();
  const job = fallbackJob({
    notice: key,
    state: projection.state,
    touchpointNames: touchpointNamesOf(
      touchpoints.map((id) => ({ id })),
      topology,
    ),
    customer: {
      effect: impact?.effect ?? told?.effect ?? 'outage',
      touchpoints,
      ...((impact?.locale ?? record.locale) ? { locale: impact?.locale ?? record.locale } : {}),
      ...(impact?.timeZone ? { timeZone: impact.timeZone } : {}),
      ...(impact?.segment ? { segment: impact.segment } : {}),
      ...(impact?.quietHours ? { quietHours: impact.quietHours } : {}),
    },
    tried,
    ...(record.eventAt !== undefined ? { eventAt: record.eventAt } : {}),
  });
  return job ?? { reason: `${tried.join(', ')} failed; ${key.kind} notices are not sent again` };
};

/** Applies one receipt; returns whether it changed the notice's state (false: a repeat or an older receipt). */
export const applyReceipt = async (deps: ApplyDeps, receipt: NoticeReceipt): Promise<boolean> => {
  const key = parseNoticeId(receipt.noticeId)!;
  const channel = receipt.channel;
  const { before, after, record } = await deps.deliveries.apply(key, channel, stepOf(receipt));
  const changed = !sameDelivery(before, after);
  const now = deps.now();

  const mark = markFor(after);
  if (mark && record.marked[channel] === undefined) {
    await deps.contacts.mark(key.customerId, channel, { mark, reason: after.reason ?? mark, noticeId: receipt.noticeId, at: after.at });
    await deps.deliveries.noteDone(key, 'Marked', channel, now);
    metrics.addMetric('ContactsMarked', MetricUnit.Count, 1);
  }
  if (after.status === 'delivered' && before?.status !== 'delivered') await deps.deliveries.clearUnreached(key.subjectKey, key.customerId);
  if (after.status === 'failed' && record.fallbacks[channel] === undefined) {
    const tried = (Object.entries(record.channels) as [NotifyChannel, { status: string }][]).filter(([, d]) => d.status === 'failed').map(([c]) => c);
    const fallback = await fallbackFor(deps, key, record, tried);
    if ('reason' in fallback) {
      await deps.deliveries.recordUnreached([
        { customerId: key.customerId, subjectKey: key.subjectKey, reason: fallback.reason, noticeId: receipt.noticeId, kind: key.kind, at: now },
      ]);
      metrics.addMetric('FallbacksImpossible', MetricUnit.Count, 1);
    } else {
      await deps.jobs.send([{ body: fallback }]);
      metrics.addMetric('FallbacksQueued', MetricUnit.Count, 1);
    }
    await deps.deliveries.noteDone(key, 'Fallback', channel, now);
  }
  if (changed) metrics.addMetric('ReceiptsApplied', MetricUnit.Count, 1);
  else metrics.addMetric('ReceiptRepeats', MetricUnit.Count, 1);
  logger.info(changed ? 'receipt applied' : 'receipt changed nothing', {
    noticeId: receipt.noticeId,
    channel,
    status: after.status,
    ...(after.status === 'failed' ? { permanent: after.permanent } : {}),
    ...(after.optOut ? { optOut: true } : {}),
  });
  return changed;
};
