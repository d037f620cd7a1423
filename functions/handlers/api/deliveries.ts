/**
 * Delivery, as support sees it: per subject the notices sent, delivered, failed and pending by channel
 * (the sharded counters: cheap whatever the fan-out) with how many arrived within 5 and 15 minutes of
 * the event; the customers nobody could reach, with why, to call back; per customer what became of
 * each notice on each channel. Never a contact detail: the API cannot read the contacts table.
 */
import { z } from 'zod';
import { noticeOutcome, pendingOf, type ChannelDelivery, type DeliveryCounts, type NoticeOutcome } from '../../domain/delivery/state.ts';
import { NOTIFY_CHANNELS, type NotifyChannel } from '../../domain/model.ts';
import { endpoint } from './endpoint.ts';
import { ApiError, param } from './http.ts';
import { MAX_PAGE_SIZE, PAGE_SIZE, cursor, cursorAfter, projectionOf, subjectParams } from './subjects.ts';

export interface DeliveryCountsView {
  /** Handed to the provider. */
  sent: number;
  delivered: number;
  /** Failed for good on this channel (a fallback may have reached the customer on another). */
  failed: number;
  /** Handed over, neither delivered nor failed yet. */
  pending: number;
  /** Delivered within 5 / 15 minutes of the event the notice tells of (notices an event caused). */
  deliveredWithin5Minutes: number;
  deliveredWithin15Minutes: number;
}

export interface SubjectDeliveriesView {
  subjectKey: string;
  byChannel: Record<NotifyChannel, DeliveryCountsView>;
  total: DeliveryCountsView;
}

export interface UnreachedView {
  customerId: string;
  /** Why no channel was left (per channel: bounced, opted out, no contact, ...). */
  reason: string;
  noticeId: string;
  kind: string;
  at: string;
}

export interface UnreachedPage {
  customers: UnreachedView[];
  /** Pass it back as `cursor` for the next page; absent on the last page. */
  cursor?: string;
}

export interface ChannelAttemptView {
  channel: NotifyChannel;
  status: ChannelDelivery['status'];
  permanent?: boolean;
  optOut?: boolean;
  reason?: string;
  at: string;
}

export interface NoticeDeliveryView {
  noticeId: string;
  subjectKey: string;
  kind: string;
  version: number;
  outcome: NoticeOutcome;
  channels: ChannelAttemptView[];
}

export interface CustomerDeliveriesView {
  customerId: string;
  notices: NoticeDeliveryView[];
}

const view = (c: DeliveryCounts): DeliveryCountsView => ({
  sent: c.sent,
  delivered: c.delivered,
  failed: c.failed,
  pending: pendingOf(c),
  deliveredWithin5Minutes: c.within5,
  deliveredWithin15Minutes: c.within15,
});

const deliveriesOf = <T extends { deliveries?: unknown }>(deps: T): NonNullable<T['deliveries']> => {
  if (!deps.deliveries) throw new ApiError('internal', 'delivery state is not available to this function');
  return deps.deliveries as NonNullable<T['deliveries']>;
};

export const subjectDeliveries = endpoint({ params: subjectParams }, async ({ params }, deps): Promise<SubjectDeliveriesView> => {
  const { subjectKey } = await projectionOf(deps, params.type, params.id);
  const counts = await deliveriesOf(deps).countsOf(subjectKey);
  const total = NOTIFY_CHANNELS.reduce<DeliveryCounts>(
    (sum, c) => ({
      sent: sum.sent + counts[c].sent,
      delivered: sum.delivered + counts[c].delivered,
      failed: sum.failed + counts[c].failed,
      within5: sum.within5 + counts[c].within5,
      within15: sum.within15 + counts[c].within15,
    }),
    { sent: 0, delivered: 0, failed: 0, within5: 0, within15: 0 },
  );
  return {
    subjectKey,
    byChannel: Object.fromEntries(NOTIFY_CHANNELS.map((c) => [c, view(counts[c])])) as Record<NotifyChannel, DeliveryCountsView>,
    total: view(total),
  };
});

export const unreachedCustomers = endpoint(
  { params: subjectParams, query: z.object({ cursor: cursor.optional(), limit: param.wholeNumber(1, MAX_PAGE_SIZE, PAGE_SIZE).optional() }) },
  async ({ params, query }, deps): Promise<UnreachedPage> => {
    const { subjectKey } = await projectionOf(deps, params.type, params.id);
    const { customers, last } = await deliveriesOf(deps).unreachedOf(subjectKey, {
      limit: query.limit ?? PAGE_SIZE,
      ...(query.cursor ? { after: query.cursor } : {}),
    });
    return {
      customers: customers.map((u) => ({ customerId: u.customerId, reason: u.reason, noticeId: u.noticeId, kind: u.kind, at: new Date(u.at).toISOString() })),
      ...(last ? { cursor: cursorAfter(last) } : {}),
    };
  },
);

export const customerDeliveries = endpoint(
  { params: z.object({ id: param.id('a customer id') }) },
  async ({ params }, deps): Promise<CustomerDeliveriesView> => {
    const records = await deliveriesOf(deps).ofCustomer(params.id);
    return {
      customerId: params.id,
      notices: records.map((r) => ({
        noticeId: r.noticeId,
        subjectKey: r.subjectKey,
        kind: r.kind,
        version: r.version,
        outcome: noticeOutcome(r.channels),
        channels: (Object.entries(r.channels) as [NotifyChannel, ChannelDelivery][])
          .sort(([, a], [, b]) => a.at - b.at)
          .map(([channel, d]) => ({
            channel,
            status: d.status,
            ...(d.status === 'failed' ? { permanent: !!d.permanent } : {}),
            ...(d.optOut ? { optOut: true } : {}),
            ...(d.reason ? { reason: d.reason } : {}),
            at: new Date(d.at).toISOString(),
          })),
      })),
    };
  },
);
