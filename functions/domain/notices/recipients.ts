/**
 * Who a planned notice goes to and on which channel. A customer affected now is told on the channel
 * the assessment chose (the first preferred channel with a contact that is not itself down); a
 * customer no longer affected (an all-clear, a closing notice after they dropped out) is told on the
 * channel they were last told on, about the touchpoints they had: that is where they heard the news.
 */
import type { Customer, NodeId, NotifyChannel } from '../model.ts';
import { isNotifyChannel, lastToldChannels, type SentNotice } from './told.ts';

/** What notices need of a customer's profile: never contact details. */
export type RecipientProfile = Pick<Customer, 'locale' | 'timeZone' | 'segment' | 'quietHours'>;

export interface NoticeRecipient {
  /** None: the customer cannot be reached (no usable channel, or opted out); counted, not sent. */
  channel?: NotifyChannel;
  touchpoints: NodeId[];
  profile?: RecipientProfile;
}

export interface RecipientSources {
  /** Customers affected now, with the channels their notice may go on (first wins; stored lists are checked). */
  affected: readonly { id: string; notify: readonly string[]; touchpoints: NodeId[] }[];
  /** profiles[i] belongs to affected[i]. */
  profiles: readonly (RecipientProfile | undefined)[];
  /** Customers affected before (the stored impacts): touchpoints and profile of those affected no more. */
  before?: readonly (RecipientProfile & { customerId: string; touchpoints: NodeId[] })[];
  /** Notices sent about the subject so far (the ledger). */
  sent?: readonly Pick<SentNotice, 'customerId' | 'channel' | 'sentAt'>[];
}

export const noticeRecipients = (sources: RecipientSources): ((customerId: string) => NoticeRecipient) => {
  const now = new Map(sources.affected.map((c, i) => [c.id, i]));
  const before = new Map((sources.before ?? []).map((c) => [c.customerId, c]));
  const lastChannel = lastToldChannels(sources.sent ?? []);
  return (customerId) => {
    const i = now.get(customerId);
    if (i !== undefined) {
      const c = sources.affected[i];
      const channel = c.notify.find(isNotifyChannel);
      return { ...(channel ? { channel } : {}), touchpoints: c.touchpoints, ...(sources.profiles[i] ? { profile: sources.profiles[i] } : {}) };
    }
    const channel = lastChannel.get(customerId);
    const was = before.get(customerId);
    return { ...(channel ? { channel } : {}), touchpoints: was?.touchpoints ?? [], ...(was ? { profile: was } : {}) };
  };
};
