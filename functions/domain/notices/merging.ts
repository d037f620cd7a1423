/**
 * Several notices for one customer within a few minutes go out as one, telling the latest state
 * (issue 15). Two rules, both decided when notify is about to send, from the job and the subject's
 * current state (no extra ledger reads):
 * - the merge window: news (a first notice or an update) to a customer who was told about the same
 *   subject less than MERGE_WINDOW_MS ago waits until that window is over, unless it is urgent;
 * - superseded notices: news planned for an older state is not sent once the subject has moved on and
 *   a later event planned news of the newer state for the same customers. What waited in the window
 *   (or in quiet hours) thus leaves as one notice, the newest.
 * A superseded notice is not sent and not recorded in the ledger: the ledger holds what customers were
 * told, and the newer notice records that. Planning only ever plans current versions, so a
 * superseded (kind, version) is never planned again: exactly once holds.
 */
import type { SubjectState } from '../model.ts';
import { isClosed, toldVersion } from '../subject.ts';
import type { NoticeKind } from './kinds.ts';

/**
 * Follow-up news to a customer this soon after their last notice about a subject waits and goes out
 * merged (the default of the `mergeWindowMinutes` setting).
 */
export const MERGE_WINDOW_MS = 5 * 60_000;

/** The longest merge window a setting may ask for: news held back longer than a day is no longer news. */
export const MAX_MERGE_WINDOW_MINUTES = 1440;

/** What is wrong with a merge window setting (minutes), if anything; the caller names the setting. */
export const mergeWindowProblem = (minutes: unknown): string | undefined =>
  typeof minutes === 'number' && Number.isInteger(minutes) && minutes >= 0 && minutes <= MAX_MERGE_WINDOW_MINUTES
    ? undefined
    : `${JSON.stringify(minutes)} is not a whole number of minutes from 0 to ${MAX_MERGE_WINDOW_MINUTES}; e.g. 5 (0 sends every notice at once)`;

/** The notices that tell a subject's current state (first notices and updates): what is merged. */
export const NEWS_KINDS = ['change-notice', 'change-update', 'change-failed', 'incident-notice', 'incident-update'] as const satisfies readonly NoticeKind[];

export const isNewsKind = (kind: NoticeKind): boolean => (NEWS_KINDS as readonly string[]).includes(kind);

/** When an incident's latest news came (status moved, message or expected restore time changed, held news approved), if any. */
const latestIncidentNews = (state: SubjectState): number | undefined => {
  const moments = [
    state.status !== 'open' ? state.statusChangedAt : undefined,
    state.messageChangedAt,
    state.approved?.news ? state.approved.at : undefined,
  ].filter((m): m is number => m !== undefined);
  return moments.length > 0 ? Math.max(...moments) : undefined;
};

/**
 * Whether a planned notice is superseded by the subject's current state: the subject closed since (the
 * closing notice goes to those told; a first notice or an update of a cancelled change is wrong now),
 * or a later event that notified planned news of a newer state (a newer told version for a change, a
 * newer scope for an incident's first notice, later news for an incident update). A newer state that
 * only a `notify: false` event brought was planned for nobody: it supersedes nothing.
 * `scheduled`: the notice was made due by a schedule (its version is the minute of the tick).
 */
export const isSuperseded = (notice: { kind: NoticeKind; version: number; scheduled?: boolean }, current: SubjectState): boolean => {
  if (!isNewsKind(notice.kind)) return false;
  if (isClosed(current.status)) return true;
  const silenced = current.silenced;
  if (notice.kind === 'incident-notice') return notice.version < current.scopeVersion && (silenced?.scopeVersion ?? 0) < current.scopeVersion;
  if (notice.kind === 'incident-update') {
    const news = latestIncidentNews(current);
    const moment = notice.scheduled ? notice.version * 60_000 : notice.version;
    return news !== undefined && news > moment && !(silenced && silenced.at >= news);
  }
  const line = toldVersion(current);
  return notice.version < line && (silenced?.toldVersion ?? 0) < line;
};
