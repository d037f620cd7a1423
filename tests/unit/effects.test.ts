import { describe, expect, it } from 'vitest';
import { EFFECTS } from '../../functions/domain/model.ts';
import { isEffect, maxEffect, minEffect } from '../../functions/domain/effects.ts';

// DESIGN section 5: effects are ordered none < degraded < outage; propagation takes max over
// dependencies and min over redundant members, so the order is what decides who is hit.
describe('effects are ordered none < degraded < outage', () => {
  const ordered = [
    ['none', 'degraded'],
    ['none', 'outage'],
    ['degraded', 'outage'],
  ] as const;

  it('given two effects, then the stronger one is their max, in either order', () => {
    for (const [weak, strong] of ordered) {
      expect(maxEffect(weak, strong)).toBe(strong);
      expect(maxEffect(strong, weak)).toBe(strong);
    }
  });

  it('given two effects, then the weaker one is their min, in either order', () => {
    for (const [weak, strong] of ordered) {
      expect(minEffect(weak, strong)).toBe(weak);
      expect(minEffect(strong, weak)).toBe(weak);
    }
  });

  it('given the same effect twice, then it is its own max and min', () => {
    for (const e of EFFECTS) expect([maxEffect(e, e), minEffect(e, e)]).toEqual([e, e]);
  });

  it('given words that are not effects, then isEffect refuses them', () => {
    expect(EFFECTS.every(isEffect)).toBe(true);
    for (const word of ['down', 'Outage', '', undefined, 2]) expect(isEffect(word)).toBe(false);
  });
});
