import { describe, expect, it } from 'vitest';
import { LocalConfigError, localConfig } from '../../../lib/local/settings.ts';

describe('impact.local.json (npm start)', () => {
  it('given an approval policy and a merge window, then the runtime gets them as the stack would (the policy complete)', () => {
    const config = localConfig(
      {
        subscriptions: [{ topic: 'support-briefings', endpoint: 'http://127.0.0.1:9/hook' }],
        approvalPolicy: { sev3: 'draft', change: 'draft' },
        mergeWindowMinutes: 0,
      },
      'impact.local.json',
    );
    expect(config).toEqual({
      subscriptions: [{ topic: 'support-briefings', endpoint: 'http://127.0.0.1:9/hook' }],
      settings: { approvalPolicy: { sev1: 'send', sev2: 'send', sev3: 'draft', sev4: 'send', change: 'draft' }, mergeWindowMinutes: 0 },
    });
  });

  it('given neither, then nothing is set and the runtime keeps its defaults', () => {
    expect(localConfig({ subscriptions: [] }, 'impact.local.json')).toEqual({ subscriptions: [], settings: {} });
  });

  it('given bad values, then every problem is named with the key, the value and the fix', () => {
    let error: unknown;
    try {
      localConfig({ approvalPolicy: { sev9: 'draft' }, mergeWindowMinutes: '5', subscriptions: {} }, 'my.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LocalConfigError);
    expect((error as LocalConfigError).problems).toEqual([
      'approvalPolicy: sev9: not a policy key; use sev1, sev2, sev3, sev4, change',
      'mergeWindowMinutes: "5" is not a whole number of minutes from 0 to 1440; e.g. 5 (0 sends every notice at once)',
      'subscriptions: is not a list; give [{ "topic", "filterPolicy"?, "endpoint" }]',
    ]);
    expect((error as Error).message).toMatch(/^my\.json: approvalPolicy/);
    expect(() => localConfig([], 'x.json')).toThrow('x.json: is not a JSON object');
  });
});
