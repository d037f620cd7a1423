/**
 * Support briefings: one per team whose touchpoints a subject hits (and the subject's own team), so
 * that first-line staff know what, when, where, why, who and what to tell callers before the phone rings.
 */
import { z } from 'zod';
import type { Topology } from '../impact/propagate.ts';
import { EFFECTS, TOUCHPOINT_CHANNELS, type Assessment, type Customer, type SubjectState } from '../model.ts';
import { NOTICE_KINDS, type NoticeKind } from './kinds.ts';
import type { PlannedNotice } from './planning.ts';

const counts = z.record(z.string(), z.number());

/** A briefing as it travels in a notify job and is published on `support-briefings`. */
export const briefingSchema = z.object({
  team: z.string(),
  kind: z.enum(NOTICE_KINDS),
  severity: z.string(),
  region: z.string(),
  subject: z.object({
    type: z.enum(['change', 'incident']),
    id: z.string(),
    title: z.string().optional(),
    status: z.string(),
    window: z.object({ start: z.string(), end: z.string().optional() }),
    /** When the service is expected back (ISO 8601), when known. */
    expectedResolutionAt: z.string().optional(),
  }),
  touchpoints: z.array(
    z.object({ id: z.string(), name: z.string().optional(), channel: z.enum(TOUCHPOINT_CHANNELS), effect: z.enum(EFFECTS), why: z.string() }),
  ),
  customers: z.object({ total: z.number(), byEffect: counts, bySegment: counts, unreachable: z.number() }),
  tellCallers: z.string(),
});
export type Briefing = z.infer<typeof briefingSchema>;

/**
 * Whether the support teams get a briefing for this assessment, and of which kind: when the subject's
 * picture changed and it hits a touchpoint or tells someone; the kind of the first notice in fan-out
 * order, else an update of the subject.
 */
export const briefingKind = (input: {
  changed: boolean;
  state: Pick<SubjectState, 'type'>;
  assessment: { touchpoints: readonly unknown[] };
  plan: readonly Pick<PlannedNotice, 'kind'>[];
}): NoticeKind | undefined => {
  const { changed, state, assessment, plan } = input;
  if (!changed || (assessment.touchpoints.length === 0 && plan.length === 0)) return undefined;
  return plan[0]?.kind ?? (state.type === 'change' ? 'change-update' : 'incident-update');
};

/** The SNS message of a briefing: the briefing with its text, attributes for the teams' filter policies. */
export const briefingMessage = (briefing: Briefing, text: string) => ({
  body: { ...briefing, text },
  attributes: { team: briefing.team, kind: briefing.kind, severity: briefing.severity, region: briefing.region },
});

const DEFAULT_LINE: Record<SubjectState['type'] | 'failed', string> = {
  change: 'This is planned maintenance; affected customers have been told. Offer the alternatives listed for the touchpoints.',
  failed:
    'The maintenance did not go as planned; affected customers have been told what is still unavailable. Offer the alternatives listed for the touchpoints.',
  incident: 'We know about the disruption and are working on it; affected customers receive updates.',
};

export const buildBriefings = (
  state: SubjectState,
  assessment: Assessment,
  /** The affected customers' records; without them the segments come from the summary (a sharded assessment's totals). */
  records: readonly (Customer | undefined)[] | undefined,
  topology: Pick<Topology, 'touchpoints' | 'components'>,
  kind: NoticeKind,
): Briefing[] => {
  const teams = new Map<string, Briefing>();
  const briefingFor = (team: string, region: string) => {
    let b = teams.get(team);
    if (!b) {
      b = {
        team,
        kind,
        severity: state.severity ?? (state.risk ? `risk-${state.risk}` : 'planned'),
        region,
        subject: {
          type: state.type,
          id: state.id,
          ...(state.title ? { title: state.title } : {}),
          status: state.status,
          window: assessment.subject.window,
          ...(state.expectedResolutionAt !== undefined ? { expectedResolutionAt: new Date(state.expectedResolutionAt).toISOString() } : {}),
        },
        touchpoints: [],
        customers: { total: 0, byEffect: {}, bySegment: {}, unreachable: 0 },
        tellCallers: state.customerMessage ?? DEFAULT_LINE[state.status === 'failed' ? 'failed' : state.type],
      };
      teams.set(team, b);
    }
    return b;
  };
  for (const t of assessment.touchpoints) {
    const tp = topology.touchpoints.get(t.id);
    const b = briefingFor(tp?.team ?? state.team ?? 'unassigned', tp?.region ?? 'all');
    if (b.region !== (tp?.region ?? 'all')) b.region = 'multiple';
    b.touchpoints.push({ id: t.id, ...(tp?.name ? { name: tp.name } : {}), channel: t.channel, effect: t.effect, why: t.path.join(' -> ') });
  }
  if (state.team) briefingFor(state.team, 'all');
  // Every team sees the whole customer picture: callers do not know which team's touchpoint hurt them.
  const customers = {
    total: assessment.summary.customers,
    byEffect: assessment.summary.byEffect,
    bySegment: records ? ({} as Record<string, number>) : { ...assessment.summary.bySegment },
    unreachable: assessment.summary.unreachable,
  };
  records?.forEach((r) => {
    const segment = r?.segment ?? 'unknown';
    customers.bySegment[segment] = (customers.bySegment[segment] ?? 0) + 1;
  });
  for (const b of teams.values()) b.customers = customers;
  return [...teams.values()].sort((a, b) => (a.team < b.team ? -1 : 1));
};

export const renderBriefing = (b: Briefing): string => {
  const lines = [
    `${b.subject.type === 'change' ? 'Change' : 'Incident'} ${b.subject.id}${b.subject.title ? ` "${b.subject.title}"` : ''} (${b.subject.status}, ${b.severity})`,
    `When: ${b.subject.window.start} -> ${b.subject.window.end ?? 'open-ended'}`,
    ...(b.subject.expectedResolutionAt ? [`Expected back: ${b.subject.expectedResolutionAt}`] : []),
    'Touchpoints:',
    ...b.touchpoints.map((t) => `  ${t.effect} ${t.name ?? t.id} (${t.channel}) because ${t.why}`),
    `Customers: ${b.customers.total} (${
      Object.entries(b.customers.byEffect)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }); unreachable ${b.customers.unreachable}`,
    `By segment: ${
      Object.entries(b.customers.bySegment)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
    `Tell callers: ${b.tellCallers}`,
  ];
  return lines.join('\n');
};
