/** Which customers an impact reaches, and on which channel we can still tell them (DESIGN section 5). */
import type { AssessedCustomer, Contacts, Customer, Effect, NodeId, NotifyChannel, Usage, Window } from '../model.ts';

/** `u.from < w.end && w.start < u.to`, a missing bound being infinite; touching bounds do not overlap. */
export const overlaps = (usage: Pick<Usage, 'from' | 'to'>, window: Window): boolean =>
  (usage.from === undefined || window.end === undefined || usage.from < window.end) && (usage.to === undefined || window.start < usage.to);

/** Which contact each notification channel needs: e-mail -> email, sms -> phone, push -> push token. */
export const CONTACT_FOR: Readonly<Record<NotifyChannel, keyof Contacts>> = { email: 'email', sms: 'phone', push: 'push' };

/** The address a notice on `channel` goes to, when the customer has one. */
export const addressOn = (contacts: Contacts | undefined, channel: NotifyChannel): string | undefined => contacts?.[CONTACT_FOR[channel]] || undefined;

/** The first preferred channel with a contact whose notification channel is not in outage; none on opt-out. */
export const chooseNoticeChannel = (
  customer: Pick<Customer, 'channels' | 'contacts' | 'optOut'>,
  channelEffects: ReadonlyMap<NotifyChannel, Effect>,
): NotifyChannel | undefined => {
  if (customer.optOut) return undefined;
  return customer.channels.find((ch) => !!customer.contacts[CONTACT_FOR[ch]] && channelEffects.get(ch) !== 'outage');
};

/**
 * chooseNoticeChannel for many customers: the answer depends only on the preference list, which
 * contacts exist and the channel effects, so it is worked out once per (preference list, contacts).
 */
const noticeChannelChooser = (channelEffects: ReadonlyMap<NotifyChannel, Effect>) => {
  const memo = new Map<readonly NotifyChannel[], (NotifyChannel | undefined)[]>();
  return (customer: Customer): NotifyChannel | undefined => {
    if (customer.optOut) return undefined;
    const { email, phone, push } = customer.contacts;
    const mask = (email ? 1 : 0) | (phone ? 2 : 0) | (push ? 4 : 0);
    let answers = memo.get(customer.channels);
    if (!answers) memo.set(customer.channels, (answers = new Array(8)));
    let answer = answers[mask];
    if (answer === undefined && !(mask in answers)) answers[mask] = answer = chooseNoticeChannel(customer, channelEffects);
    return answer;
  };
};

export interface AffectedCustomersInput {
  /** Effects of the impacted touchpoints (others may be present and are ignored when none). */
  touchpointEffects: ReadonlyMap<NodeId, Effect>;
  /** Usages of the impacted touchpoints: the caller reads only those partitions. */
  usagesOf: (touchpoint: NodeId) => Iterable<Usage>;
  customer: (id: string) => Customer | undefined;
  channelEffects: ReadonlyMap<NotifyChannel, Effect>;
  window: Window;
  /** Customers in id order, indexed by `Usage.ordinal`: when given, the join uses it instead of looking ids up. */
  customerList?: readonly Customer[];
}

export interface AffectedCustomers {
  /** Sorted by id. */
  customers: AssessedCustomer[];
  /** The record of customers[i], when known (segment counts, notices, mail merge). */
  records: (Customer | undefined)[];
}

const RANK: Record<Effect, number> = { none: 0, degraded: 1, outage: 2 };

/** Shared, frozen `notify` lists: half a million customers need only these four. */
const NO_CHANNEL = Object.freeze([]) as unknown as NotifyChannel[];
const ONE_CHANNEL = Object.freeze({
  email: Object.freeze(['email']),
  sms: Object.freeze(['sms']),
  push: Object.freeze(['push']),
}) as unknown as Record<NotifyChannel, NotifyChannel[]>;

/** Affected customers sorted by id; reads only the usages of impacted touchpoints, never every customer. */
export const affectedCustomers = (input: AffectedCustomersInput): AffectedCustomers => {
  const { window, customerList } = input;
  const hits: AssessedCustomer[] = [];
  const records: (Customer | undefined)[] = [];
  const byId = new Map<string, number>();
  // Dense slots by ordinal (1-based index into hits) avoid hashing half a million ids.
  const slots = customerList ? new Int32Array(customerList.length) : undefined;
  // Most customers hit one touchpoint: they share one frozen list per touchpoint (copied on a second hit).
  const touchpoints = [...input.touchpointEffects].filter(([, e]) => e !== 'none').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [touchpoint, effect] of touchpoints) {
    const alone = Object.freeze([touchpoint]) as NodeId[];
    for (const usage of input.usagesOf(touchpoint)) {
      if (!overlaps(usage, window)) continue;
      const ordinal = usage.ordinal;
      let index: number | undefined;
      if (slots && ordinal !== undefined) {
        index = slots[ordinal] - 1;
        if (index < 0) {
          const record = customerList![ordinal];
          slots[ordinal] = hits.push({ id: record.id, effect, touchpoints: alone, notify: NO_CHANNEL });
          records.push(record);
          continue;
        }
      } else {
        index = byId.get(usage.customerId);
        if (index === undefined) {
          byId.set(usage.customerId, hits.push({ id: usage.customerId, effect, touchpoints: alone, notify: NO_CHANNEL }) - 1);
          records.push(input.customer(usage.customerId));
          continue;
        }
      }
      const hit = hits[index];
      if (RANK[effect] > RANK[hit.effect]) hit.effect = effect;
      // Touchpoints are visited in id order, so each list is built sorted and a repeat is always last.
      const last = hit.touchpoints[hit.touchpoints.length - 1];
      if (last !== touchpoint) hit.touchpoints = Object.isFrozen(hit.touchpoints) ? [last, touchpoint] : (hit.touchpoints.push(touchpoint), hit.touchpoints);
    }
  }
  const choose = noticeChannelChooser(input.channelEffects);
  for (let i = 0; i < hits.length; i++) {
    const record = records[i];
    const channel = record ? choose(record) : undefined;
    if (channel) hits[i].notify = ONE_CHANNEL[channel];
  }
  if (!slots || byId.size > 0) {
    const order = hits.map((_, i) => i).sort((a, b) => (hits[a].id < hits[b].id ? -1 : 1));
    return { customers: order.map((i) => hits[i]), records: order.map((i) => records[i]) };
  }
  // customerList is in id order, so walking the slots yields the customers sorted without a sort.
  const customers: AssessedCustomer[] = [];
  const sortedRecords: (Customer | undefined)[] = [];
  for (let o = 0; o < slots.length; o++) {
    const slot = slots[o];
    if (slot !== 0) {
      customers.push(hits[slot - 1]);
      sortedRecords.push(records[slot - 1]);
    }
  }
  return { customers, records: sortedRecords };
};
