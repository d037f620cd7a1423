import { EFFECTS, type Effect } from './model.ts';

/** Rank of an effect in the order none < degraded < outage. */
export const effectRank = (e: Effect): number => EFFECTS.indexOf(e);

export const maxEffect = (a: Effect, b: Effect): Effect => (effectRank(a) >= effectRank(b) ? a : b);

export const minEffect = (a: Effect, b: Effect): Effect => (effectRank(a) <= effectRank(b) ? a : b);

export const isEffect = (value: unknown): value is Effect => typeof value === 'string' && (EFFECTS as readonly string[]).includes(value);
