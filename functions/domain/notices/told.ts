/** What the ledger says each customer was told about a subject, in the terms notice planning needs. */
import { NOTIFY_CHANNELS, type Effect, type NotifyChannel, type SubjectType } from '../model.ts';
import { isToldKind, type NoticeKind } from './kinds.ts';

export interface Told {
  kind: NoticeKind | string;
  version: number;
}

/** One notice the ledger records as sent (no contact details: the address is never recorded). */
export interface SentNotice {
  customerId: string;
  kind: string;
  version: number;
  channel: string;
  sentAt: number;
  /** The effect the notice told of (absent on records written before effects were recorded). */
  effect?: Effect;
}

/** What a customer was last told about a subject: when, and of which effect. */
export interface LastTold {
  at: number;
  effect?: Effect;
}

/** Per customer, their latest notice about the subject: when, and of which effect. */
export const lastTold = (sent: readonly Pick<SentNotice, 'customerId' | 'sentAt' | 'effect'>[]): Map<string, LastTold> => {
  const last = new Map<string, LastTold>();
  for (const s of sent) {
    const known = last.get(s.customerId);
    if (!known || s.sentAt >= known.at) last.set(s.customerId, { at: s.sentAt, ...(s.effect ? { effect: s.effect } : {}) });
  }
  return last;
};

/** Per customer, every notice sent to them about the subject. */
export const toldByCustomer = (sent: readonly Pick<SentNotice, 'customerId' | 'kind' | 'version'>[]): Map<string, Told[]> => {
  const told = new Map<string, Told[]>();
  for (const s of sent) {
    const list = told.get(s.customerId);
    if (list) list.push({ kind: s.kind, version: s.version });
    else told.set(s.customerId, [{ kind: s.kind, version: s.version }]);
  }
  return told;
};

/** Whether a customer's notices include one that told them about a subject of this type (TOLD_KINDS). */
export const wasTold = (history: readonly Told[] | undefined, subjectType: SubjectType): boolean => !!history?.some((t) => isToldKind(subjectType, t.kind));

/** The customers who were told about a subject of this type. */
export const customersTold = (sent: readonly Pick<SentNotice, 'customerId' | 'kind'>[], subjectType: SubjectType): Set<string> =>
  new Set(sent.filter((s) => isToldKind(subjectType, s.kind)).map((s) => s.customerId));

export const isNotifyChannel = (value: unknown): value is NotifyChannel => typeof value === 'string' && (NOTIFY_CHANNELS as readonly string[]).includes(value);

/** The channel each customer was last told on (any kind): where news reaches someone no longer affected. */
export const lastToldChannels = (sent: readonly Pick<SentNotice, 'customerId' | 'channel' | 'sentAt'>[]): Map<string, NotifyChannel> => {
  const last = new Map<string, { channel: NotifyChannel; sentAt: number }>();
  for (const s of sent) {
    if (!isNotifyChannel(s.channel)) continue;
    const known = last.get(s.customerId);
    if (!known || s.sentAt >= known.sentAt) last.set(s.customerId, { channel: s.channel, sentAt: s.sentAt });
  }
  return new Map([...last].map(([id, { channel }]) => [id, channel]));
};
