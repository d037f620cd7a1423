/**
 * Who may speak about a subject. A change or incident id belongs to the tool (source) that first sent
 * an event about it: another tool sending events on the same id is taken for a clash of ids (its own
 * change under a number already in use), not for an update, and is refused, so that one tool's title,
 * window and customers never silently overwrite another's. People acting through our own tools act on
 * any subject and own none: the console (whose POST /events needs the change-manager or admin role)
 * and the `impact` CLI. So a change manager can correct or cancel a ServiceNow change from the console,
 * and can announce a change from the console or the CLI before the tool that runs it sends its own
 * events (the first tool to do so then owns the id).
 *
 * A source is what the producer says it is (EventBridge lets a producer name any source but `aws.*`):
 * this rule keeps tools from clashing, it is not access control; IAM's `events:source` condition is.
 */
import type { EventIssue } from './errors.ts';

/** Where console events say they come from (rules match on detail-type, never on the source). */
export const CONSOLE_SOURCE = 'impact.console';
/** Where `impact send` events come from when their file names no source. */
export const CLI_SOURCE = 'impact.cli';
/** Sources that act on any subject, whoever owns it, and own none. */
export const OPERATOR_SOURCES: readonly string[] = [CONSOLE_SOURCE, CLI_SOURCE];

export const actsOnAnySubject = (source: string): boolean => OPERATOR_SOURCES.includes(source);

/** Whether an event from `source` may act on a subject owned by `owner` (undefined: no tool yet; a tool's event makes it the owner). */
export const mayActOn = (owner: string | undefined, source: string): boolean => owner === undefined || owner === source || actsOnAnySubject(source);

/** The refusal of an event whose source does not own its subject: names the owner and what to do. */
export const ownershipProblem = (subjectKey: string, owner: string, source: string): EventIssue => {
  const split = subjectKey.indexOf('#');
  const [type, id] = [subjectKey.slice(0, split), subjectKey.slice(split + 1)];
  return {
    field: 'source',
    message: `${type} ${id} belongs to ${JSON.stringify(owner)}, the tool that first used the id; events from ${JSON.stringify(source)} on it are refused: send them from ${owner}, give the ${type} an id of its own, or act on it from the console`,
  };
};
