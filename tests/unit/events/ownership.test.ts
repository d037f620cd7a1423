import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEvent, subjectOwner, ownershipProblem, type ImpactEvent } from '../../../functions/domain/events/index.ts';
import { foldSubject } from '../../../functions/domain/subject.ts';
import { HOUR, T0, iso, rawEvent } from '../../support/events.ts';

const at = (minute: number) => iso(T0 + minute * 60_000);
const ev = (source: string, type: string, detail: Record<string, unknown>, minute: number, eventId: string): ImpactEvent =>
  parseEvent(rawEvent(type, { eventId, occurredAt: at(minute), ...detail }, { source }));

const servicenowOpens = ev('servicenow', 'Change Scheduled', { changeId: 'CHG-1', title: 'DB patch', window: { start: at(120), end: at(240) }, impacts: [{ node: 'db' }] }, 0, 'sn-1');
const jiraOpensSameId = ev('jira', 'Change Scheduled', { changeId: 'CHG-1', title: 'Network swap', window: { start: at(600), end: at(700) }, impacts: [{ node: 'net' }] }, 5, 'jira-1');
const jiraUpdates = ev('jira', 'Change Updated', { changeId: 'CHG-1', title: 'Moved', window: { start: at(900), end: at(960) } }, 10, 'jira-2');
const consoleUpdates = ev('impact.console', 'Change Updated', { changeId: 'CHG-1', customerMessage: 'Pay by card at the desk' }, 20, 'console-1');

describe('subject ownership: the source that opened a subject owns its id', () => {
  it('given a change opened by servicenow, then servicenow owns it; nothing opened yet, nobody does', () => {
    expect(subjectOwner([jiraUpdates, servicenowOpens])).toBe('servicenow');
    expect(subjectOwner([jiraUpdates])).toBeUndefined();
  });

  it('given another tool\'s events on the same id, when folded, then they change nothing: title, window and impacts stay the opener\'s', () => {
    const state = foldSubject([servicenowOpens, jiraOpensSameId, jiraUpdates]);
    expect(state).toMatchObject({ title: 'DB patch', window: { start: T0 + 2 * HOUR, end: T0 + 4 * HOUR }, impacts: [{ node: 'db', effect: 'outage' }], scopeVersion: 1, eventCount: 1 });
  });

  it('given the console (a person with a role) updating a servicenow change, when folded, then the update counts', () => {
    expect(foldSubject([servicenowOpens, consoleUpdates])).toMatchObject({ title: 'DB patch', customerMessage: 'Pay by card at the desk', eventCount: 2 });
  });

  it('given a foreign update that arrived before the opening event, the state is the same in any arrival order', () => {
    const events = [servicenowOpens, jiraOpensSameId, jiraUpdates, consoleUpdates];
    const expected = foldSubject(events);
    fc.assert(fc.property(fc.shuffledSubarray(events, { minLength: 4, maxLength: 4 }), (order) => void expect(foldSubject(order)).toEqual(expected)));
  });

  it('a refusal names the owner, the refused source and what to do', () => {
    expect(ownershipProblem('change#CHG-1', 'servicenow', 'jira')).toEqual({
      field: 'source',
      message: 'change CHG-1 was opened by "servicenow", which owns the id; events from "jira" on it are refused: send them from servicenow, give the change an id of its own, or act on it from the console',
    });
  });
});
