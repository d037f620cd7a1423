/** Shared givens of the intake tests: the vendors' fixtures, a catalog, and outcome readers that also check the events parse. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseEvent, type ImpactEvent } from '../../../functions/domain/events/index.ts';
import { buildIntakeCatalog, type IntakeEvent, type IntakeNode, type IntakeOutcome } from '../../../functions/domain/intake/index.ts';

export const fixture = <T = Record<string, any>>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../fixtures/intake/${name}`, import.meta.url), 'utf8')) as T;

export const catalogOf = (...nodes: IntakeNode[]) => buildIntakeCatalog(nodes);

/** The events of an outcome that must have produced some; each one must pass the pipeline's own parser. */
export const eventsOf = (outcome: IntakeOutcome): IntakeEvent[] => {
  if (outcome.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(outcome)}`);
  for (const event of outcome.events) expect(() => parseEvent(event)).not.toThrow();
  return outcome.events;
};

export const parsedOf = (outcome: IntakeOutcome): ImpactEvent[] => eventsOf(outcome).map((e) => parseEvent(e));

export const refusalOf = (outcome: IntakeOutcome) => {
  if (outcome.kind !== 'refused') throw new Error(`expected a refusal, got ${JSON.stringify(outcome)}`);
  return outcome;
};

export const ignoredReason = (outcome: IntakeOutcome): string => {
  if (outcome.kind !== 'ignored') throw new Error(`expected the payload to be ignored, got ${JSON.stringify(outcome)}`);
  return outcome.reason;
};

export const clone = <T>(value: T): T => structuredClone(value);
