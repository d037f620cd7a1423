/**
 * notify's reads around the send-time channel rule (domain/delivery/channels.ts): which channel each
 * due customer's notice goes on now that contacts carry marks, who cannot be reached at all (kept for
 * support's call-back list), and the claims of fallbacks, which are exactly once per channel (the
 * delivery record) where first notices are exactly once per notice (the ledger's claim pages).
 * The common case costs nothing extra: a customer whose planned channel is usable needs no more than
 * the contacts notify reads anyway; only the others cost a profile read and the subject's channel
 * effects.
 */
import type { Claimed, LedgerEntry } from '../../adapters/ledger.ts';
import { plannedUsable, sendChannel, type ContactRecord } from '../../domain/delivery/channels.ts';
import { CONTACT_FOR } from '../../domain/impact/customers.ts';
import { propagate } from '../../domain/impact/propagate.ts';
import type { NotifyChannel } from '../../domain/model.ts';
import { noticeId, type JobCustomer, type NoticeJob } from '../../domain/notices/index.ts';
import type { Dependencies } from './dependencies.ts';

export interface Recipient {
  customer: JobCustomer;
  channel: NotifyChannel;
  to: string;
}

const isFallback = (customer: JobCustomer) => (customer.tried?.length ?? 0) > 0;

/** Notification channels the subject itself takes down (its impacts propagated over the topology). */
const channelsDown = async (deps: Pick<Dependencies, 'projections' | 'graph'>, subjectKey: string): Promise<NotifyChannel[]> => {
  const projection = await deps.projections.getSubject(subjectKey);
  if (!projection) return [];
  const { topology } = await deps.graph.topology();
  return [...propagate(topology, projection.state.impacts).channelEffects].filter(([, effect]) => effect === 'outage').map(([channel]) => channel);
};

/** The channel and address of each due customer's notice, and why the others cannot be reached. */
export const sendingChannels = async (
  deps: Pick<Dependencies, 'projections' | 'graph'>,
  job: NoticeJob,
  due: readonly JobCustomer[],
  contacts: ReadonlyMap<string, ContactRecord>,
): Promise<{ recipients: Recipient[]; unreached: { customer: JobCustomer; reason: string }[] }> => {
  const recipients: Recipient[] = [];
  const unreached: { customer: JobCustomer; reason: string }[] = [];
  const rechoose: JobCustomer[] = [];
  for (const customer of due) {
    const record = contacts.get(customer.id);
    if (plannedUsable(record, { planned: customer.channel, tried: customer.tried }))
      recipients.push({ customer, channel: customer.channel!, to: record![CONTACT_FOR[customer.channel!]]! });
    else if (customer.channel || isFallback(customer)) rechoose.push(customer);
    else unreached.push({ customer, reason: 'no channel to notify on: opted out, no contact on a preferred channel, or every preferred channel down' });
  }
  if (rechoose.length === 0) return { recipients, unreached };
  const [preferences, down] = await Promise.all([deps.graph.preferencesOf(rechoose.map((c) => c.id)), channelsDown(deps, job.subjectKey)]);
  for (const customer of rechoose) {
    const profile = preferences.get(customer.id);
    const choice = sendChannel(contacts.get(customer.id), {
      planned: customer.channel,
      preference: profile?.channels,
      tried: customer.tried,
      down,
      optOut: profile?.optOut,
    });
    if ('channel' in choice) recipients.push({ customer, ...choice });
    else unreached.push({ customer, reason: choice.reason });
  }
  return { recipients, unreached };
};

/**
 * Claims entries for sending: first notices on the ledger's claim pages (once per notice, a lease until
 * `leaseUntil`), fallbacks on their delivery record (once per notice and channel, no lease: a job of
 * fallbacks only has none to run out). `claimant` is the job's SQS message id.
 */
export const claimNotices = async (
  deps: Pick<Dependencies, 'ledger' | 'deliveries'>,
  job: NoticeJob,
  entries: readonly LedgerEntry[],
  claimant: string,
  now: number,
): Promise<Claimed> => {
  const fallbacks = new Set(job.customers.filter(isFallback).map((c) => c.id));
  const regular = entries.filter((e) => !fallbacks.has(e.customerId));
  const { send, skipped, leaseUntil, marked } =
    regular.length > 0 ? await deps.ledger.claim(regular, claimant, { now }) : { send: [], skipped: [], leaseUntil: Number.POSITIVE_INFINITY, marked: [] };
  for (const entry of entries.filter((e) => fallbacks.has(e.customerId))) {
    ((await deps.deliveries.claimFallback(entry, entry.channel as NotifyChannel, claimant)) ? send : skipped).push(entry);
  }
  return { send, skipped, leaseUntil, marked };
};

/** Customers no channel is left for: on support's call-back list with the reason (never a contact detail). */
export const recordUnreached = async (
  deps: Pick<Dependencies, 'deliveries'>,
  job: NoticeJob,
  unreached: readonly { customer: JobCustomer; reason: string }[],
  at: number,
): Promise<void> => {
  await deps.deliveries.recordUnreached(
    unreached.map(({ customer, reason }) => ({
      customerId: customer.id,
      subjectKey: job.subjectKey,
      reason,
      noticeId: noticeId({ subjectKey: job.subjectKey, customerId: customer.id, kind: job.kind, version: customer.version }),
      kind: job.kind,
      at,
    })),
  );
};
