/**
 * One customer shard of a subject, assessed and planned on its own (issue 12, section 5). A subject's
 * customers are split by `shardOf(customerId, shards)`; every item a shard needs (the usages of the hit
 * touchpoints, the stored impacts, the ledger) is keyed by the same hash, so a shard is read as a few
 * partitions sorted by customer id and merge-joined a batch of customers at a time. This module is the
 * rule for one such batch: the join (a customer's effect is the max over their usages), the notices
 * (planNotices / planScheduled), the folding into covering changes, who gets them on which channel,
 * the jobs, and the counts the fan-in adds up. Pure: the same batch always gives the same answer.
 */
import { affectedCustomers } from '../impact/customers.ts';
import type { AssessedCustomer, AssessmentSummary, Customer, Effect, NodeId, NotifyChannel, SubjectState, Usage } from '../model.ts';
import { approve } from '../subject.ts';
import { heldGroups, mergeHeldGroups, type HeldGroups } from './approval.ts';
import { foldIntoCoveringChanges } from './folding.ts';
import { compareNotices, type NoticeKind, type ScheduledKind } from './kinds.ts';
import { toJobs, type NoticeJob } from './jobs.ts';
import { planNotices, planScheduled, type PlannedNotice } from './planning.ts';
import { noticeRecipients, type RecipientProfile } from './recipients.ts';
import { lastTold, toldByCustomer, type SentNotice } from './told.ts';

/** A customer's impact as stored (no contact details; no subject fields, those are the subject's). */
export interface StoredImpact extends RecipientProfile {
  customerId: string;
  effect: Effect;
  touchpoints: NodeId[];
  notify: string[];
}

/** Everything the shard's partitions hold about one customer (any part may be missing). */
export interface ShardCustomer {
  customerId: string;
  /** Usages of hit touchpoints (any window: the join checks overlap). */
  usages: readonly Pick<Usage, 'touchpoint' | 'from' | 'to'>[];
  /** The customer's assessment profile (from the usage items), when they use a hit touchpoint. */
  profile?: Customer;
  /** The impact stored before this assessment. */
  before?: StoredImpact;
  /** Notices the ledger records about this subject for them. */
  sent: readonly SentNotice[];
  /** They were told of a live change that covers this incident (folding). */
  toldOfCoveringChange?: boolean;
}

/** What one planning run does: assess (an event), only re-project (a replay), or scheduled notices. */
export type ShardWork =
  | { type: 'assess'; mode: 'send' | 'hold' | 'silent' | 'replay'; at: number }
  | { type: 'scheduled'; kind: ScheduledKind; version: number };

export interface ShardContext {
  subjectKey: string;
  eventVersion: number;
  state: SubjectState;
  work: ShardWork;
  /** Effects of the hit touchpoints. */
  touchpointEffects: ReadonlyMap<NodeId, Effect>;
  channelEffects: ReadonlyMap<NotifyChannel, Effect>;
  touchpointNames: Record<string, string>;
}

/** The counts of one shard; added up over the shards by the fan-in (addShardCounts). */
export interface ShardCounts {
  summary: Omit<AssessmentSummary, 'touchpoints'>;
  /** Affected customers per `<effect>|<segment>`: which partitions the console's filtered pages read. */
  byEffectSegment: Record<string, number>;
  /** Notices planned (sent, held or not) per kind. */
  planned: Partial<Record<NoticeKind, number>>;
  /** Notices left out because the customers were told of a covering change. */
  folded: number;
  /** Distinct customers the plan reaches, and those of them without a usable channel (held plans). */
  planCustomers: number;
  planUnreachable: number;
  /** Stored impacts written or removed: the customer picture changed. */
  impactsChanged: number;
  /** A held plan's preview groups (hold runs only; absent in runs stored before they were kept). */
  held?: HeldGroups;
}

export interface PlannedBatch {
  /** Jobs for notify, outage notices first (empty unless notices are sent). */
  jobs: NoticeJob[];
  /** Impacts to store (new or changed) and customers whose impact to remove. */
  write: StoredImpact[];
  remove: string[];
  counts: ShardCounts;
}

const RANK: Record<Effect, number> = { none: 0, degraded: 1, outage: 2 };

/** Whether a run keeps its plan's preview groups: a held assessment's (the held view renders them). */
export const keepsPreviews = (work: ShardWork | undefined): boolean => work?.type === 'assess' && work.mode === 'hold';

/** Nothing counted yet (a held run's shard with no customers still has its, empty, preview groups). */
export const emptyShardCounts = (work?: ShardWork): ShardCounts => ({
  summary: { customers: 0, byEffect: {}, byChannel: {}, bySegment: {}, unreachable: 0 },
  byEffectSegment: {},
  planned: {},
  folded: 0,
  planCustomers: 0,
  planUnreachable: 0,
  impactsChanged: 0,
  ...(keepsPreviews(work) ? { held: { groups: [], truncated: false } } : {}),
});

const addInto = (into: Record<string, number>, from: Readonly<Record<string, number | undefined>>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + (v ?? 0);
};

/** Shard counts added up (the shards' customers are disjoint, so every count adds). */
export const addShardCounts = (parts: readonly ShardCounts[]): ShardCounts => {
  const total = emptyShardCounts();
  for (const p of parts) {
    total.summary.customers += p.summary.customers;
    total.summary.unreachable += p.summary.unreachable;
    addInto(total.summary.byEffect, p.summary.byEffect);
    addInto(total.summary.byChannel, p.summary.byChannel);
    addInto(total.summary.bySegment, p.summary.bySegment);
    addInto(total.byEffectSegment, p.byEffectSegment);
    addInto(total.planned as Record<string, number>, p.planned);
    total.folded += p.folded;
    total.planCustomers += p.planCustomers;
    total.planUnreachable += p.planUnreachable;
    total.impactsChanged += p.impactsChanged;
  }
  const held = parts.filter((p) => p.held);
  if (held.length > 0) total.held = mergeHeldGroups(held.map((p) => p.held!));
  return total;
};

/** The first kind in fan-out order among planned kinds (what the support briefing is about). */
export const firstPlannedKind = (planned: Partial<Record<NoticeKind, number>>): NoticeKind | undefined =>
  (Object.keys(planned) as NoticeKind[])
    .filter((k) => (planned[k] ?? 0) > 0)
    .sort((a, b) => compareNotices({ kind: a, effect: 'outage', customerId: '' }, { kind: b, effect: 'outage', customerId: '' }))[0];

export const effectSegmentKey = (effect: string, segment: string | undefined) => `${effect}|${segment ?? 'unknown'}`;

const fingerprint = (c: StoredImpact) =>
  JSON.stringify([
    c.effect,
    c.touchpoints,
    c.notify,
    c.locale ?? null,
    c.timeZone ?? null,
    c.segment ?? null,
    c.quietHours?.start ?? null,
    c.quietHours?.end ?? null,
  ]);

const storedOf = (c: AssessedCustomer, record: Customer | undefined): StoredImpact => ({
  customerId: c.id,
  effect: c.effect,
  touchpoints: c.touchpoints,
  notify: c.notify,
  ...(record?.locale ? { locale: record.locale } : {}),
  ...(record?.timeZone ? { timeZone: record.timeZone } : {}),
  ...(record?.segment ? { segment: record.segment } : {}),
  ...(record?.quietHours ? { quietHours: record.quietHours } : {}),
});

/** Affected customers of the batch, in id order, with their records: DESIGN section 5 over the batch's usages. */
const joinBatch = (ctx: ShardContext, customers: readonly ShardCustomer[]) => {
  const byTouchpoint = new Map<NodeId, Usage[]>();
  const profiles = new Map<string, Customer>();
  for (const c of customers) {
    if (c.profile) profiles.set(c.customerId, c.profile);
    for (const u of c.usages) {
      const list = byTouchpoint.get(u.touchpoint) ?? [];
      list.push({ customerId: c.customerId, touchpoint: u.touchpoint, from: u.from, to: u.to });
      byTouchpoint.set(u.touchpoint, list);
    }
  }
  return affectedCustomers({
    touchpointEffects: ctx.touchpointEffects,
    usagesOf: (t) => byTouchpoint.get(t) ?? [],
    customer: (id) => profiles.get(id),
    channelEffects: ctx.channelEffects,
    window: ctx.state.window,
  });
};

/**
 * Plans one batch of a shard's customers (any subset of a shard; batches are disjoint). An assessment
 * joins the usages afresh; scheduled notices go to the customers affected as stored (like remind did).
 */
export const planShardBatch = (ctx: ShardContext, customers: readonly ShardCustomer[]): PlannedBatch => {
  const counts = emptyShardCounts(ctx.work);
  const sent = customers.flatMap((c) => c.sent);
  const told = toldByCustomer(sent);
  const before = customers.flatMap((c) => (c.before ? [c.before] : []));
  const { work, state } = ctx;
  let affected: { id: string; effect: Effect; notify: readonly string[]; touchpoints: NodeId[] }[];
  let profiles: (RecipientProfile | undefined)[];
  const write: StoredImpact[] = [];
  const remove: string[] = [];

  if (work.type === 'assess' && state.opened && state.status !== 'cancelled') {
    const joined = joinBatch(ctx, customers);
    affected = joined.customers;
    profiles = joined.records;
    const previous = new Map(before.map((b) => [b.customerId, b]));
    joined.customers.forEach((c, i) => {
      const record = joined.records[i];
      const stored = storedOf(c, record);
      const was = previous.get(c.id);
      if (!was || fingerprint(was) !== fingerprint(stored)) write.push(stored);
      previous.delete(c.id);
      counts.summary.customers++;
      counts.summary.byEffect[c.effect] = (counts.summary.byEffect[c.effect] ?? 0) + 1;
      if (c.notify.length > 0) counts.summary.byChannel[c.notify[0]] = (counts.summary.byChannel[c.notify[0]] ?? 0) + 1;
      else counts.summary.unreachable++;
      const segment = record?.segment ?? 'unknown';
      counts.summary.bySegment[segment] = (counts.summary.bySegment[segment] ?? 0) + 1;
      const key = effectSegmentKey(c.effect, segment);
      counts.byEffectSegment[key] = (counts.byEffectSegment[key] ?? 0) + 1;
    });
    remove.push(...previous.keys());
  } else if (work.type === 'assess') {
    // Held (not opened) or cancelled: nobody is affected any more.
    affected = [];
    profiles = [];
    remove.push(...before.map((b) => b.customerId));
  } else {
    affected = before.map((b) => ({ ...b, id: b.customerId }));
    profiles = before;
  }
  counts.impactsChanged = write.length + remove.length;

  let plan: PlannedNotice[] = [];
  if (work.type === 'scheduled') plan = planScheduled(work.kind, state, affected, told, work.version);
  else if (work.mode !== 'replay' && work.mode !== 'silent') {
    // A held plan is what approving would send: approved, an incident's news while held reach those told.
    const planned = planNotices({ state: work.mode === 'hold' ? approve(state, work.at) : state, affected, told, at: work.at });
    const toldOfChange = new Set(customers.filter((c) => c.toldOfCoveringChange).map((c) => c.customerId));
    const result = state.type === 'incident' ? foldIntoCoveringChanges(planned, toldOfChange) : { plan: planned, folded: 0 };
    plan = result.plan;
    counts.folded = result.folded;
  }
  const recipient = noticeRecipients({ affected, profiles, before, sent });
  const planCustomers = new Set<string>();
  const unreachable = new Set<string>();
  for (const n of plan) {
    counts.planned[n.kind] = (counts.planned[n.kind] ?? 0) + 1;
    planCustomers.add(n.customerId);
    if (!recipient(n.customerId).channel) unreachable.add(n.customerId);
  }
  counts.planCustomers = planCustomers.size;
  counts.planUnreachable = unreachable.size;
  if (keepsPreviews(work)) counts.held = heldGroups(plan, recipient);

  const sending = work.type === 'scheduled' || work.mode === 'send';
  const last = lastTold(sent);
  const jobs = sending
    ? toJobs(plan, {
        state,
        subjectKey: ctx.subjectKey,
        eventVersion: ctx.eventVersion,
        ...(work.type === 'scheduled' ? { scheduled: true } : {}),
        touchpointNames: ctx.touchpointNames,
        customer: recipient,
        told: (id) => last.get(id),
      }).sort((a, b) => RANK[b.customers[0]?.effect ?? 'none'] - RANK[a.customers[0]?.effect ?? 'none'])
    : [];
  return { jobs, write, remove, counts };
};
