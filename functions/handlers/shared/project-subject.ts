/**
 * Rebuilds the projections of one subject from its events: fold, assess against the stored graph,
 * write the subject state and the per-customer impacts. Used by the assess handler and `impact replay`;
 * it sends nothing (notices are planned elsewhere from what it returns).
 */
import type { EventStore } from '../../adapters/event-store.ts';
import type { StoredEvent } from '../../domain/events/stored.ts';
import type { GraphStore } from '../../adapters/graph-store.ts';
import type { CustomerImpact, Projections, SubjectProjection } from '../../adapters/projections.ts';
import { assessDetailed, isAssessable, type DetailedAssessment } from '../../domain/impact/assess.ts';
import { propagate } from '../../domain/impact/propagate.ts';
import { foldSubject } from '../../domain/subject.ts';
import { touchpointTeamsOf } from '../../domain/support.ts';
import type { Customer } from '../../domain/model.ts';
import { canonicalJson } from '../../domain/canonical.ts';
import { effectSegmentKey, type StoredImpact } from '../../domain/notices/shard-plan.ts';

export interface ProjectionStores {
  events: EventStore;
  graph: GraphStore;
  projections: Projections;
}

export interface ProjectedSubject {
  projection: SubjectProjection;
  detailed: DetailedAssessment;
  /** Customers affected before this projection (from the stored impacts). */
  previousCustomers: string[];
  previousImpacts: CustomerImpact[];
  /** Whether state or impact differ from what was stored. */
  changed: boolean;
  written: boolean;
}

const EMPTY: DetailedAssessment = {
  assessment: {
    subject: { type: 'change', id: '', window: { start: new Date(0).toISOString() } },
    touchpoints: [],
    customers: [],
    unknownNodes: [],
    summary: { touchpoints: 0, customers: 0, byEffect: {}, byChannel: {}, bySegment: {}, unreachable: 0 },
  },
  records: [],
};

export const projectSubject = async (stores: ProjectionStores, subjectKey: string, history?: StoredEvent[], now = Date.now()): Promise<ProjectedSubject> => {
  const events = history ?? (await stores.events.readSubject(subjectKey));
  const state = foldSubject(events.map((e) => e.event));
  const { version: graphVersion, topology } = await stores.graph.topology();
  let detailed = EMPTY;
  if (isAssessable(state)) {
    const hit = propagate(topology, state.impacts).touchpoints.map((t) => t.id);
    detailed = assessDetailed(await stores.graph.view(hit), state);
  } else {
    detailed = assessDetailed({ ...topology, usagesOf: () => [], customer: () => undefined }, state);
  }
  const { assessment } = detailed;
  const projection: SubjectProjection = {
    subjectKey,
    eventVersion: events.length > 0 ? events[events.length - 1].version : 0,
    state,
    summary: assessment.summary,
    touchpoints: assessment.touchpoints,
    touchpointTeams: touchpointTeamsOf(assessment.touchpoints, topology),
    unknownNodes: assessment.unknownNodes,
    graphVersion,
    updatedAt: now,
  };
  const [previous, previousImpacts] = await Promise.all([stores.projections.getSubject(subjectKey), stores.projections.customersOfSubject(subjectKey)]);
  const previousCustomers = previousImpacts.map((c) => c.customerId);
  // The same items the planner writes (writeImpacts): per-customer fields only, indexed for the console's pages.
  const impacts: StoredImpact[] = assessment.customers.map((c, i) => ({
    customerId: c.id,
    effect: c.effect,
    touchpoints: c.touchpoints,
    notify: c.notify,
    ...profileOf(detailed.records[i]),
  }));
  // Counted per (effect, segment) as the planner counts them, so the console pages a replayed subject by key too.
  const byEffectSegment: Record<string, number> = {};
  for (const c of impacts) {
    const key = effectSegmentKey(c.effect, c.segment);
    byEffectSegment[key] = (byEffectSegment[key] ?? 0) + 1;
  }
  projection.byEffectSegment = byEffectSegment;
  const changed =
    !previous ||
    canonicalJson([previous.state, previous.summary, previous.touchpoints, previous.touchpointTeams]) !==
      canonicalJson([state, assessment.summary, assessment.touchpoints, projection.touchpointTeams]) ||
    canonicalJson(previousImpacts.map(impactFingerprint).sort()) !== canonicalJson(impacts.map(impactFingerprint).sort());
  let written = false;
  if (changed) {
    written = await stores.projections.putSubject(projection);
    if (written) {
      const current = new Set(impacts.map((c) => c.customerId));
      await stores.projections.writeImpacts(
        subjectKey,
        impacts,
        previousCustomers.filter((id) => !current.has(id)),
      );
    }
  }
  return { projection, detailed, previousCustomers, previousImpacts, changed, written };
};

const profileOf = (c: Customer | undefined) =>
  c
    ? {
        ...(c.locale ? { locale: c.locale } : {}),
        ...(c.timeZone ? { timeZone: c.timeZone } : {}),
        ...(c.segment ? { segment: c.segment } : {}),
        ...(c.quietHours ? { quietHours: c.quietHours } : {}),
      }
    : {};

const impactFingerprint = (c: StoredImpact) => canonicalJson([c.customerId, c.effect, c.touchpoints, c.notify]);
