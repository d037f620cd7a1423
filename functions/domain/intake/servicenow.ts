/**
 * ServiceNow change_request -> change events, by the change's state:
 *   -5 New, -4 Assess, -3 Authorize      ignored: customers hear of a change once it is scheduled
 *   -2 Scheduled                          Change Scheduled (window start_date..end_date, impacts from the CIs)
 *   -1 Implement                          Change Scheduled + Change Started (a change first seen in Implement is
 *                                         announced and started at once)
 *    0 Review, 3 Closed                   Change Completed, or Change Failed when close_code is unsuccessful
 *    4 Canceled                           Change Cancelled (reason: close_notes)
 * Every delivery in Scheduled or Implement is a full Change Scheduled: the fold treats a repeat as an update
 * (the notice version moves only when window or CIs changed), so a missed delivery never leaves a change held.
 * Fields come as the Table API or Change Management API renders them: plain values, or { value, display_value }
 * objects (reference fields: value = sys_id, display_value = name). Dates are the API's UTC values,
 * "YYYY-MM-DD HH:MM:SS". Affected CIs (the task_ci related list) are read from `affected_cis` when the
 * outbound message adds them. A redelivery is recognised by sys_id + sys_mod_count (or sys_updated_on).
 */
import { z } from 'zod';
import type { IntakeContext, IntakeIssue, IntakeOutcome } from './contract.ts';
import { impactsOn } from './config.ts';
import { nodesByCi, type NameRef } from './catalog.ts';
import { announceChange, closeChange, plannedWindow } from './changes.ts';
import { ignored, issuesFrom, knownNodes, produced, refused, subjectIdFrom, toolActor } from './envelope.ts';
import { TIME_FORMATS_HINT, isoOf, vendorTime } from './times.ts';

const SOURCE = 'servicenow';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const snField = z.union([scalar, z.object({ value: scalar.optional(), display_value: scalar.optional(), link: z.string().optional() })]).optional();
type SnField = z.infer<typeof snField>;

const recordSchema = z.object(
  {
    sys_id: snField,
    number: snField,
    short_description: snField,
    state: snField,
    approval: snField,
    start_date: snField,
    end_date: snField,
    work_start: snField,
    work_end: snField,
    cmdb_ci: snField,
    affected_cis: z.array(snField, { error: 'must be a list of CIs (sys_ids, names or { value, display_value })' }).optional(),
    close_code: snField,
    close_notes: snField,
    risk: snField,
    sys_mod_count: snField,
    sys_updated_on: snField,
    sys_updated_by: snField,
  },
  { error: 'must be a change_request record (a JSON object), as the Table API or an outbound REST message sends it' },
);

const text = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
};
const plainValueOf = (f: SnField): string | undefined => (f && typeof f === 'object' ? text(f.value) : text(f));
const displayOf = (f: SnField): string | undefined => (f && typeof f === 'object' ? text(f.display_value) : undefined);
const rawOf = (f: SnField): unknown => (f && typeof f === 'object' ? f.value : f);

type Stage = 'planned' | 'scheduled' | 'implement' | 'review' | 'closed' | 'canceled';
const STATES: Record<string, Stage> = {
  '-5': 'planned',
  '-4': 'planned',
  '-3': 'planned',
  '-2': 'scheduled',
  '-1': 'implement',
  '0': 'review',
  '3': 'closed',
  '4': 'canceled',
  new: 'planned',
  assess: 'planned',
  authorize: 'planned',
  scheduled: 'scheduled',
  implement: 'implement',
  review: 'review',
  closed: 'closed',
  canceled: 'canceled',
  cancelled: 'canceled',
};
const STATE_HINT = 'a change state: -5 New, -4 Assess, -3 Authorize, -2 Scheduled, -1 Implement, 0 Review, 3 Closed, 4 Canceled';
const stageOf = (f: SnField): Stage | undefined => {
  for (const candidate of [plainValueOf(f), displayOf(f)]) {
    if (candidate === undefined) continue;
    const n = Number(candidate);
    const stage = STATES[Number.isFinite(n) && candidate.trim() !== '' ? String(n) : candidate.toLowerCase()];
    if (stage) return stage;
  }
  return undefined;
};

/** ServiceNow's risk choices: 1 Very High, 2 High, 3 Moderate, 4 Low. */
const riskOf = (f: SnField): 'low' | 'medium' | 'high' | undefined => {
  const v = (plainValueOf(f) ?? displayOf(f))?.toLowerCase();
  if (v === undefined) return undefined;
  if (['1', '2', 'very high', 'high'].includes(v)) return 'high';
  if (['3', 'moderate', 'medium'].includes(v)) return 'medium';
  if (['4', 'low'].includes(v)) return 'low';
  return undefined;
};

const ciRef = (f: SnField): NameRef => [plainValueOf(f), displayOf(f)].filter((n): n is string => n !== undefined);

export const mapServiceNow = (payload: unknown, { catalog, config }: IntakeContext): IntakeOutcome => {
  // The Change Management API wraps the record in { result }; an outbound message may send it bare.
  const body = payload && typeof payload === 'object' && 'result' in payload ? (payload as { result: unknown }).result : payload;
  const parsed = recordSchema.safeParse(body);
  if (!parsed.success) return refused(SOURCE, issuesFrom(parsed.error, body));
  const r = parsed.data;

  const number = plainValueOf(r.number);
  const stage = stageOf(r.state);
  const updatedOn = vendorTime(plainValueOf(r.sys_updated_on));
  const issues: IntakeIssue[] = [];
  if (number === undefined) issues.push({ field: 'number', message: 'is required: the change number, e.g. CHG0030002' });
  if (stage === undefined) issues.push({ field: 'state', message: `must be ${STATE_HINT} (got ${JSON.stringify(rawOf(r.state) ?? null)})` });
  if (updatedOn === undefined) {
    issues.push({
      field: 'sys_updated_on',
      message: `is required (when the change was last updated): ${TIME_FORMATS_HINT} (got ${JSON.stringify(rawOf(r.sys_updated_on) ?? null)})`,
    });
  }
  if (issues.length > 0 || number === undefined || stage === undefined || updatedOn === undefined) return refused(SOURCE, issues);

  if (stage === 'planned') {
    return ignored(SOURCE, `change ${number} is ${displayOf(r.state) ?? plainValueOf(r.state)}: customers hear of a change once it is Scheduled (-2)`);
  }
  const approval = plainValueOf(r.approval)?.toLowerCase();
  if (approval === 'rejected' && (stage === 'scheduled' || stage === 'implement')) {
    return ignored(SOURCE, `change ${number} was rejected: a rejected change is not announced`);
  }

  const changeId = subjectIdFrom('', number);
  const key = plainValueOf(r.sys_id) ?? number;
  const occurredAt = isoOf(updatedOn);
  const actor = toolActor(SOURCE, plainValueOf(r.sys_updated_by), displayOf(r.sys_updated_by));
  const timeOr = (f: SnField) => isoOf(vendorTime(plainValueOf(f)) ?? updatedOn);

  if (stage === 'canceled') {
    return produced(SOURCE, [closeChange(SOURCE, 'cancelled', { key, changeId, occurredAt, actor, text: plainValueOf(r.close_notes) })]);
  }
  if (stage === 'review' || stage === 'closed') {
    const closing = plainValueOf(r.close_code)?.toLowerCase() === 'unsuccessful' ? 'failed' : 'completed';
    return produced(SOURCE, [closeChange(SOURCE, closing, { key, changeId, occurredAt: timeOr(r.work_end), actor, text: plainValueOf(r.close_notes) })]);
  }

  const window = plannedWindow({ field: 'start_date', value: plainValueOf(r.start_date) }, { field: 'end_date', value: plainValueOf(r.end_date) });
  if (Array.isArray(window)) return refused(SOURCE, window);
  const refs = [ciRef(r.cmdb_ci), ...(r.affected_cis ?? []).map(ciRef)].filter((ref) => ref.length > 0);
  if (refs.length === 0) {
    return refused(SOURCE, [
      {
        field: 'cmdb_ci',
        message: 'names no CI, and affected_cis is empty: name the configuration items the change touches (graph nodes list them under `ci`)',
      },
    ]);
  }
  const known = knownNodes(SOURCE, nodesByCi(catalog, refs), 'ci', {
    field: 'cmdb_ci',
    fix: 'list these CI sys_ids or names under `ci` on the graph nodes they are',
  });
  if ('refusal' in known) return known.refusal;
  const risk = riskOf(r.risk);
  const events = announceChange(SOURCE, {
    key,
    version: plainValueOf(r.sys_mod_count) ?? plainValueOf(r.sys_updated_on) ?? '',
    changeId,
    occurredAt,
    actor,
    title: plainValueOf(r.short_description) ?? `Change ${number}`,
    window,
    impacts: impactsOn(SOURCE, config?.servicenow, known.nodes),
    ...(risk ? { risk } : {}),
    ...(stage === 'implement' ? { startedAt: timeOr(r.work_start) } : {}),
  });
  return produced(SOURCE, events, known.unknownNames);
};
