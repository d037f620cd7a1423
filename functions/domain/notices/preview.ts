/**
 * What customers would read, before anything is sent: the preview of a held subject (what approving
 * would send) and of a what-if (the first notices, as if nobody had been told yet). Customers who get
 * the same text are one group (kind, locale, channel, effect: previewGroups); each group is rendered
 * once, with the template set passed in, for the console, the API and `impact assess --preview`.
 */
import { NOTIFY_CHANNELS, type Effect, type NodeId, type SubjectState } from '../model.ts';
import { previewGroups, type PreviewGroup } from './approval.ts';
import { fanOutRank } from './kinds.ts';
import { planNotices } from './planning.ts';
import { noticeRecipients, type RecipientProfile } from './recipients.ts';
import { previewNotices, type NoticePreview } from './render.ts';
import type { TemplateSet } from './template-set.ts';

/**
 * One text as a group of customers would get it: the rendered channel content (e-mail subject, text
 * and HTML; the SMS with its parts and encoding; the push title and body), the template it came from
 * (`locale`, `file`) for the customers' own locale (`requestedLocale`), and how many customers get it.
 */
export type RenderedPreview = NoticePreview & Pick<PreviewGroup, 'effect' | 'count' | 'sampleCustomerId'>;

const byReading = (groups: readonly PreviewGroup[]): PreviewGroup[] => {
  const kindOrder = [...new Set(groups.map((g) => g.kind))];
  return [...groups].sort(
    (a, b) =>
      kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) ||
      (a.locale < b.locale ? -1 : a.locale > b.locale ? 1 : 0) ||
      NOTIFY_CHANNELS.indexOf(a.channel) - NOTIFY_CHANNELS.indexOf(b.channel) ||
      fanOutRank(a.effect) - fanOutRank(b.effect),
  );
};

/**
 * Renders each group with the set, in reading order: kinds as planned, then by locale, channel (e-mail,
 * SMS, push) and effect (outage first).
 */
export const renderPreviews = (set: TemplateSet, groups: readonly PreviewGroup[]): RenderedPreview[] =>
  byReading(groups).map((g) => {
    const [text] = previewNotices(set, { kinds: [g.kind], locales: [g.locale], channels: [g.channel], ctx: g.context });
    return { ...text, effect: g.effect, count: g.count, sampleCustomerId: g.sampleCustomerId };
  });

/**
 * The groups as if every customer read `locale` (the CLI's `--locale`): groups that differ only in
 * locale become one, their counts added, rendered with the first one's context.
 */
export const inLocale = (groups: readonly PreviewGroup[], locale: string): PreviewGroup[] => {
  const merged = new Map<string, PreviewGroup>();
  for (const g of groups) {
    const key = [g.kind, g.channel, g.effect].join('\n');
    const known = merged.get(key);
    if (known) known.count += g.count;
    else merged.set(key, { ...g, locale });
  }
  return [...merged.values()];
};

export interface WhatIfPreviewInput {
  state: SubjectState;
  subjectKey: string;
  /** The customers the what-if found, with the channels their notice may go on. */
  affected: readonly { id: string; effect: Effect; notify: readonly string[]; touchpoints: NodeId[] }[];
  /** profiles[i] belongs to affected[i]. */
  profiles: readonly (RecipientProfile | undefined)[];
  /** The names customers know the hit touchpoints by. */
  touchpointNames: Record<string, string>;
  /** When the what-if is made (epoch ms). */
  at: number;
}

/**
 * The first notices of a what-if, grouped for rendering: planned by the same rules as the pipeline
 * with an empty ledger (nobody told yet), so the kind is the one a customer would get first
 * (change-notice, incident-notice, change-failed for a change that failed). Customers without a usable
 * channel are not in any group.
 */
export const whatIfPreviewGroups = (input: WhatIfPreviewInput): PreviewGroup[] => {
  const { state, subjectKey, affected, profiles, touchpointNames, at } = input;
  const plan = planNotices({ state, affected, told: new Map(), at });
  return previewGroups(plan, { state, subjectKey, touchpointNames, customer: noticeRecipients({ affected, profiles }) });
};
