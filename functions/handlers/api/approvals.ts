/**
 * Drafts and their approval: the subjects whose notices wait (an event said `notify: "draft"`, or the
 * approval policy holds them), and the change manager's approval, which puts `Notices Approved` on the
 * bus with the caller as its actor. What approval then sends is planned by assess, against the ledger
 * at that moment (docs/decisions.md, "Notices and handlers").
 */
import { z } from 'zod';
import type { HeldNotices } from '../../domain/notices/index.ts';
import type { Actor, SubjectState } from '../../domain/model.ts';
import { actorOf, signedIn } from './access.ts';
import { endpoint } from './endpoint.ts';
import { eventProblems, fromConsole, submitOrExplain } from './events.ts';
import { ApiError, badRequest } from './http.ts';
import { projectionOf, subjectParams } from './subjects.ts';

/** A subject waiting for approval: the held plan's counts with what support needs to recognise it. */
export interface DraftView extends Omit<HeldNotices, 'groups' | 'previewsTruncated'> {
  type: SubjectState['type'];
  id: string;
  title?: string;
  status: SubjectState['status'];
  severity?: SubjectState['severity'];
  start: number;
  end?: number;
  expectedResolutionAt?: number;
  /** Who made it a draft (absent when the approval policy holds it). */
  draftedBy?: Actor;
}

export interface DraftListView {
  /** Oldest first: the one waiting longest. */
  drafts: DraftView[];
}

export const drafts = endpoint({}, async (_request, deps): Promise<DraftListView> => {
  const held = await deps.projections.listHeld();
  // Held subjects are few (each waits for a person), so one read per subject is cheap.
  const projections = await Promise.all(held.map((h) => deps.projections.getSubject(h.subjectKey)));
  // The list shows counts; the preview groups are the subject view's.
  const views = held.flatMap(({ groups: _groups, previewsTruncated: _truncated, ...h }, i): DraftView[] => {
    const state = projections[i]?.state;
    if (!state) return [];
    return [
      {
        ...h,
        type: state.type,
        id: state.id,
        ...(state.title ? { title: state.title } : {}),
        status: state.status,
        ...(state.severity ? { severity: state.severity } : {}),
        start: state.window.start,
        ...(state.window.end !== undefined ? { end: state.window.end } : {}),
        ...(state.expectedResolutionAt !== undefined ? { expectedResolutionAt: state.expectedResolutionAt } : {}),
        ...(state.draft?.by ? { draftedBy: state.draft.by } : {}),
      },
    ];
  });
  return { drafts: views.sort((a, b) => a.since - b.since || (a.subjectKey < b.subjectKey ? -1 : 1)) };
});

export interface ApprovalAcceptedView {
  accepted: true;
  subjectKey: string;
  /** The held counts at the moment of approval; what is sent is planned again against the ledger. */
  held: HeldNotices;
}

const approvalBody = z.strictObject(
  { note: z.string({ error: 'is not text; give the note as a string, or leave it out' }).optional() },
  { error: 'is not an object; send {} or { "note": "..." }' },
);

export const approve = endpoint(
  { params: subjectParams, body: 'optional-json', status: 202 },
  async ({ params, body, caller }, deps): Promise<ApprovalAcceptedView> => {
    const parsed = approvalBody.optional().safeParse(body);
    if (!parsed.success) {
      throw badRequest(
        parsed.error.issues.map((issue) =>
          issue.code === 'unrecognized_keys'
            ? { field: issue.keys.join(', '), message: 'is not a field of an approval; send {} or { "note": "..." }' }
            : { field: issue.path.length > 0 ? issue.path.join('.') : 'body', message: issue.message },
        ),
      );
    }
    const note = parsed.data?.note;
    const { subjectKey, state } = await projectionOf(deps, params.type, params.id);
    const held = await deps.projections.getHeld(subjectKey);
    if (!held)
      throw new ApiError(
        'conflict',
        `${params.type} ${params.id} has no notices waiting for approval (${state.status}, nothing held); GET /drafts lists the subjects that have`,
      );
    const event = {
      'detail-type': 'Notices Approved',
      detail: {
        [params.type === 'change' ? 'changeId' : 'incidentId']: params.id,
        ...(note !== undefined ? { note } : {}),
        actor: actorOf(signedIn(caller, 'POST /subjects/{type}/{id}/approve')),
      },
    };
    // The note is checked as the event catalog checks it (its length); problems name the body's field.
    const problems = eventProblems(event, deps.now()).map((p) => ({ ...p, field: p.field.replace(/^detail\./, '') }));
    if (problems.length > 0) throw badRequest(problems);
    await submitOrExplain(deps, [fromConsole(event)]);
    return { accepted: true, subjectKey, held };
  },
);
