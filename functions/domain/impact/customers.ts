/** Which customers an impact reaches, and on which channel we can still tell them (DESIGN section 5). */
import { maxEffect } from '../effects.ts';
import type { AssessedCustomer, Customer, Effect, NodeId, NotifyChannel, Usage, Window } from '../model.ts';

/** `u.from < w.end && w.start < u.to`, a missing bound being infinite; touching bounds do not overlap. */
export const overlaps = (usage: Pick<Usage, 'from' | 'to'>, window: Window): boolean =>
  (usage.from === undefined || window.end === undefined || usage.from < window.end) &&
  (usage.to === undefined || window.start < usage.to);

const CONTACT_FOR: Record<NotifyChannel, keyof Customer['contacts']> = { email: 'email', sms: 'phone', push: 'push' };

/** The first preferred channel with a contact whose notification channel is not in outage; none on opt-out. */
export const chooseNoticeChannel = (
  customer: Pick<Customer, 'channels' | 'contacts' | 'optOut'>,
  channelEffects: ReadonlyMap<NotifyChannel, Effect>,
): NotifyChannel | undefined => {
  if (customer.optOut) return undefined;
  return customer.channels.find((ch) => !!customer.contacts[CONTACT_FOR[ch]] && channelEffects.get(ch) !== 'outage');
};

export interface AffectedCustomersInput {
  /** Effects of the impacted touchpoints (others may be present and are ignored when none). */
  touchpointEffects: ReadonlyMap<NodeId, Effect>;
  /** Usages of the impacted touchpoints: the caller reads only those partitions. */
  usagesOf: (touchpoint: NodeId) => Iterable<Usage>;
  customer: (id: string) => Customer | undefined;
  channelEffects: ReadonlyMap<NotifyChannel, Effect>;
  window: Window;
}

export interface AffectedCustomer extends AssessedCustomer {
  /** The customer record, when known (for segment counts and notices). */
  record?: Customer;
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Affected customers sorted by id; reads only the usages of impacted touchpoints, never every customer. */
export const affectedCustomers = (input: AffectedCustomersInput): AffectedCustomer[] => {
  const hits = new Map<string, { effect: Effect; touchpoints: NodeId[] }>();
  for (const [touchpoint, effect] of input.touchpointEffects) {
    if (effect === 'none') continue;
    for (const usage of input.usagesOf(touchpoint)) {
      if (!overlaps(usage, input.window)) continue;
      const hit = hits.get(usage.customerId);
      if (!hit) hits.set(usage.customerId, { effect, touchpoints: [touchpoint] });
      else {
        hit.effect = maxEffect(hit.effect, effect);
        if (!hit.touchpoints.includes(touchpoint)) hit.touchpoints.push(touchpoint);
      }
    }
  }
  const result: AffectedCustomer[] = [];
  for (const [id, hit] of hits) {
    const record = input.customer(id);
    const channel = record ? chooseNoticeChannel(record, input.channelEffects) : undefined;
    result.push({ id, effect: hit.effect, touchpoints: hit.touchpoints.sort(byId), notify: channel ? [channel] : [], ...(record ? { record } : {}) });
  }
  return result.sort((a, b) => byId(a.id, b.id));
};
