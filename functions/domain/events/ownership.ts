/**
 * Who may speak about a subject. A change or incident id is owned by the source that opened it (the
 * source of its `Change Scheduled` / `Incident Opened`): another tool using the same id is a clash of
 * ids, not an update, and is refused, so that one tool's title, window and customers never overwrite
 * another's. People acting through our own tools (the console, whose POST /events needs the
 * change-manager or admin role, and the `impact` CLI) may act on any subject: a change manager may
 * correct or cancel a ServiceNow change from the console. Before any opening event has arrived the
 * subject is held and events from any source are kept; the fold then ignores those of a source that
 * turns out not to own it, so the state is the same in any arrival order.
 */
import type { ImpactEvent } from './parse.ts';
import type { EventIssue } from './errors.ts';

/** Where console events say they come from (rules match on detail-type, never on the source). */
export const CONSOLE_SOURCE = 'impact.console';
/** Where `impact send` events come from when their file names no source. */
export const CLI_SOURCE = 'impact.cli';
/** Sources that act on any subject, whoever opened it. */
export const OPERATOR_SOURCES: readonly string[] = [CONSOLE_SOURCE, CLI_SOURCE];

const OPENING_TYPES: readonly string[] = ['Change Scheduled', 'Incident Opened'];

export const opensSubject = (detailType: string): boolean => OPENING_TYPES.includes(detailType);
export const actsOnAnySubject = (source: string): boolean => OPERATOR_SOURCES.includes(source);

/**
 * The owner of a subject from its events in canonical order: the source of its first opening event
 * from a tool, else (opened only through the console or CLI) the source of its first opening event;
 * undefined while it is held.
 */
export const subjectOwner = (canonical: readonly Pick<ImpactEvent, 'detailType' | 'source'>[]): string | undefined => {
  const openings = canonical.filter((e) => opensSubject(e.detailType));
  return (openings.find((e) => !actsOnAnySubject(e.source)) ?? openings[0])?.source;
};

/** Whether an event of `source` counts for a subject owned by `owner`. */
export const mayActOn = (owner: string | undefined, source: string): boolean => owner === undefined || owner === source || actsOnAnySubject(source);

/** The refusal of an event whose source does not own its subject: names the owner and what to do. */
export const ownershipProblem = (subjectKey: string, owner: string, source: string): EventIssue => {
  const [type, id] = [subjectKey.slice(0, subjectKey.indexOf('#')), subjectKey.slice(subjectKey.indexOf('#') + 1)];
  return {
    field: 'source',
    message: `${type} ${id} was opened by ${JSON.stringify(owner)}, which owns the id; events from ${JSON.stringify(source)} on it are refused: send them from ${owner}, give the ${type} an id of its own, or act on it from the console`,
  };
};
