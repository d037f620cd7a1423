import { describe, expect, it } from 'vitest';
import { EFFECTS, NODE_ID_PATTERN } from '../../functions/domain/model.ts';

describe('model', () => {
  it('orders effects none < degraded < outage', () => {
    expect(EFFECTS.indexOf('none')).toBeLessThan(EFFECTS.indexOf('degraded'));
    expect(EFFECTS.indexOf('degraded')).toBeLessThan(EFFECTS.indexOf('outage'));
  });
  it('accepts node ids of [A-Za-z0-9._:-]{1,128} only', () => {
    expect(NODE_ID_PATTERN.test('payments-db')).toBe(true);
    expect(NODE_ID_PATTERN.test('a b')).toBe(false);
    expect(NODE_ID_PATTERN.test('x'.repeat(129))).toBe(false);
  });
});
