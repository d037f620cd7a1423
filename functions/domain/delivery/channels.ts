/**
 * Which channel a notice goes on at send time, now that contacts can fail. The assessment chose a
 * channel from the customer's preference, which contacts are on file and which notification channels
 * are down (domain/impact/customers.ts); it does not know what bounced. The contacts record does: a
 * permanent failure marks that contact `unreachable`, a complaint marks it `opted-out`. So the planned
 * channel stands unless its contact is marked (or the notice already failed on it: a fallback); then
 * the next channel of the customer's preference that has a contact, no mark, was not tried for this
 * notice and is not itself down.
 */
import { CONTACT_FOR } from '../impact/customers.ts';
import type { Contacts, NotifyChannel } from '../model.ts';

export const CONTACT_MARKS = ['unreachable', 'opted-out'] as const;
export type ContactMarkKind = (typeof CONTACT_MARKS)[number];

/** Why a contact is not used any more: stored with the contact, never logged. */
export interface ContactMark {
  mark: ContactMarkKind;
  /** The provider's reason (contact details masked). */
  reason: string;
  /** The notice whose receipt set it. */
  noticeId: string;
  at: number;
}

export type ContactMarks = Partial<Record<NotifyChannel, ContactMark>>;

/** A customer's contacts as notify reads them: the details and the marks on them. */
export interface ContactRecord extends Contacts {
  marks?: ContactMarks;
}

/** The mark a receipt leaves on the contact it went to, if any. */
export const markFor = (receipt: { permanent?: boolean; optOut?: boolean; status?: string }): ContactMarkKind | undefined =>
  receipt.optOut ? 'opted-out' : receipt.status === 'failed' && receipt.permanent ? 'unreachable' : undefined;

export interface ChannelChoice {
  /** Planned by the assessment (a job customer's `channel`). */
  planned?: NotifyChannel;
  /** The customer's channel preference, first wins (the graph profile); when unknown, only `planned` is considered. */
  preference?: readonly NotifyChannel[];
  /** Channels this notice already went on and failed (a fallback). */
  tried?: readonly NotifyChannel[];
  /** Notification channels in outage for this subject. */
  down?: readonly NotifyChannel[];
  /** The customer opted out of every notice. */
  optOut?: boolean;
}

export type SendChoice = { channel: NotifyChannel; to: string } | { reason: string };

/** Why one channel cannot be used, or nothing when it can. */
const blocker = (channel: NotifyChannel, record: ContactRecord | undefined, choice: ChannelChoice): string | undefined => {
  if (choice.tried?.includes(channel)) return 'failed for this notice';
  const mark = record?.marks?.[channel];
  if (mark) return mark.mark === 'opted-out' ? 'opted out' : `unreachable (${mark.reason})`;
  if (!record?.[CONTACT_FOR[channel]]) return 'no contact';
  if (choice.down?.includes(channel)) return 'channel down';
  return undefined;
};

/** The channel (and address) a notice goes on, or why it cannot go on any (support's "could not reach" list says it). */
export const sendChannel = (record: ContactRecord | undefined, choice: ChannelChoice): SendChoice => {
  if (choice.optOut) return { reason: 'opted out of notices' };
  const candidates = [
    ...new Set([...(choice.planned && !choice.tried?.length ? [choice.planned] : []), ...(choice.preference ?? (choice.planned ? [choice.planned] : []))]),
  ];
  const why: string[] = [];
  for (const channel of candidates) {
    const blocked = blocker(channel, record, choice);
    if (!blocked) return { channel, to: record![CONTACT_FOR[channel]]! };
    why.push(`${channel}: ${blocked}`);
  }
  return { reason: why.length > 0 ? why.join('; ') : 'no channel to notify on' };
};

/** Whether the planned channel can be used as it is (no profile read needed). */
export const plannedUsable = (record: ContactRecord | undefined, choice: ChannelChoice): boolean =>
  !!choice.planned && !choice.tried?.length && !blocker(choice.planned, record, choice);
