import { describe, expect, it } from 'vitest';
import { CLI_SOURCE, CONSOLE_SOURCE, mayActOn, ownershipProblem } from '../../../functions/domain/events/index.ts';

describe('subject ownership: an id belongs to the tool that first used it', () => {
  it('given an id nobody used yet, then any source may act on it (and owns it from then on)', () => {
    expect(mayActOn(undefined, 'jira')).toBe(true);
  });

  it('given a change servicenow owns, then servicenow may act on it and another tool may not', () => {
    expect(mayActOn('servicenow', 'servicenow')).toBe(true);
    expect(mayActOn('servicenow', 'jira')).toBe(false);
    expect(mayActOn('servicenow', 'servicenow.dev')).toBe(false);
  });

  it('given a change servicenow owns, then a person acting through the console or the CLI may act on it', () => {
    expect(mayActOn('servicenow', CONSOLE_SOURCE)).toBe(true);
    expect(mayActOn('servicenow', CLI_SOURCE)).toBe(true);
  });

  it('a refusal names the owner, the refused source and what to do', () => {
    expect(ownershipProblem('change#CHG-1', 'servicenow', 'jira')).toEqual({
      field: 'source',
      message:
        'change CHG-1 belongs to "servicenow", the tool that first used the id; events from "jira" on it are refused: send them from servicenow, give the change an id of its own, or act on it from the console',
    });
  });
});
