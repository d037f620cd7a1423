import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTH_SCHEMES, verifyIntakeRequest, type AuthScheme } from '../../../functions/domain/intake/index.ts';
import { fixture } from './given.ts';

// The raw body exactly as PagerDuty sent it (signatures are over these bytes).
const body = JSON.stringify(fixture('pagerduty-incident-priority-updated.json'));
const hmac = (secret: string, text: string | Buffer) => createHmac('sha256', secret).update(text).digest('hex');
const pagerduty: AuthScheme = { type: 'pagerduty-signature', secrets: ['pd-new-secret'] };

describe('PagerDuty signatures (X-PagerDuty-Signature: v1=<hmac>)', () => {
  it('given the signature of the raw body with our secret, then ok', () => {
    expect(verifyIntakeRequest({ headers: { 'x-pagerduty-signature': `v1=${hmac('pd-new-secret', body)}` }, body }, [pagerduty])).toEqual({
      status: 'ok',
      scheme: 'pagerduty-signature',
    });
  });

  it('given several signatures while PagerDuty rotates its secret, then one match is enough', () => {
    const header = `v1=${hmac('pd-old-secret', body)},v1=${hmac('pd-new-secret', body)}`;
    expect(verifyIntakeRequest({ headers: { 'X-PagerDuty-Signature': header }, body }, [pagerduty]).status).toBe('ok');
  });

  it('given our own two secrets while we rotate, then either signs', () => {
    const both: AuthScheme = { type: 'pagerduty-signature', secrets: ['pd-old-secret', 'pd-new-secret'] };
    expect(verifyIntakeRequest({ headers: { 'x-pagerduty-signature': `v1=${hmac('pd-old-secret', body)}` }, body }, [both]).status).toBe('ok');
  });

  it('given the body as bytes, then the same check', () => {
    const bytes = new TextEncoder().encode(body);
    expect(verifyIntakeRequest({ headers: { 'x-pagerduty-signature': [`v1=${hmac('pd-new-secret', body)}`] }, body: bytes }, [pagerduty]).status).toBe('ok');
  });

  it('given no signature header, then missing', () => {
    expect(verifyIntakeRequest({ headers: { 'content-type': 'application/json' }, body }, [pagerduty])).toEqual({
      status: 'missing',
      reason: 'the request has no X-PagerDuty-Signature',
    });
  });

  it('given a signature by another secret, of another body, or of another version, then mismatch, and the reason shows no secret or signature', () => {
    const signature = hmac('someone-else', body);
    const wrong = verifyIntakeRequest({ headers: { 'x-pagerduty-signature': `v1=${signature}` }, body }, [pagerduty]);
    expect(wrong).toEqual({ status: 'mismatch', reason: 'X-PagerDuty-Signature does not match a configured secret' });
    expect(JSON.stringify(wrong)).not.toContain(signature);
    expect(JSON.stringify(wrong)).not.toContain('pd-new-secret');
    const tampered = body.replace('"P1"', '"P5"');
    expect(verifyIntakeRequest({ headers: { 'x-pagerduty-signature': `v1=${hmac('pd-new-secret', body)}` }, body: tampered }, [pagerduty]).status).toBe(
      'mismatch',
    );
    expect(verifyIntakeRequest({ headers: { 'x-pagerduty-signature': `v2=${hmac('pd-new-secret', body)}` }, body }, [pagerduty]).status).toBe('mismatch');
  });
});

describe('Jira signatures (X-Hub-Signature: sha256=<hmac>)', () => {
  const jira: AuthScheme = { type: 'hub-signature', secrets: ['jira-secret'] };
  const jiraBody = JSON.stringify(fixture('jira-issue-updated.json'));

  it('given the WebSub signature of the body, then ok; given a sha1 one, then mismatch', () => {
    expect(verifyIntakeRequest({ headers: { 'X-Hub-Signature': `sha256=${hmac('jira-secret', jiraBody)}` }, body: jiraBody }, [jira]).status).toBe('ok');
    expect(verifyIntakeRequest({ headers: { 'X-Hub-Signature': `sha1=${hmac('jira-secret', jiraBody)}` }, body: jiraBody }, [jira]).status).toBe('mismatch');
  });
});

describe('shared secrets (Alertmanager, ServiceNow, Jira automation)', () => {
  const bearer: AuthScheme = { type: 'bearer', secrets: ['am-token'] };
  const basic: AuthScheme = { type: 'basic', username: 'servicenow', secrets: ['sn-pass'] };
  const header: AuthScheme = { type: 'header', name: 'X-Impact-Token', secrets: ['sn-token'] };

  it('bearer: ok, mismatch, missing', () => {
    expect(verifyIntakeRequest({ headers: { authorization: 'Bearer am-token' }, body: '{}' }, [bearer]).status).toBe('ok');
    expect(verifyIntakeRequest({ headers: { authorization: 'Bearer am-token2' }, body: '{}' }, [bearer]).status).toBe('mismatch');
    expect(verifyIntakeRequest({ headers: {}, body: '{}' }, [bearer])).toEqual({ status: 'missing', reason: 'the request has no Authorization' });
  });

  it('basic: the user and password of the outbound REST message', () => {
    const credentials = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    expect(verifyIntakeRequest({ headers: { Authorization: credentials('servicenow', 'sn-pass') }, body: '' }, [basic]).status).toBe('ok');
    expect(verifyIntakeRequest({ headers: { Authorization: credentials('servicenow', 'guess') }, body: '' }, [basic]).status).toBe('mismatch');
    expect(verifyIntakeRequest({ headers: { Authorization: credentials('admin', 'sn-pass') }, body: '' }, [basic]).status).toBe('mismatch');
  });

  it('a source accepting several schemes passes on any of them and fails only when all do', () => {
    expect(verifyIntakeRequest({ headers: { 'x-impact-token': 'sn-token' }, body: '' }, [basic, header])).toEqual({ status: 'ok', scheme: 'header' });
    expect(verifyIntakeRequest({ headers: { 'x-impact-token': 'nope' }, body: '' }, [basic, header])).toEqual({
      status: 'mismatch',
      reason: 'Authorization or X-Impact-Token does not match a configured secret',
    });
    expect(AUTH_SCHEMES.servicenow).toEqual(['basic', 'header']);
  });

  it('given no configured secret, then missing (never ok)', () => {
    expect(verifyIntakeRequest({ headers: { authorization: 'Bearer anything' }, body: '' }, [])).toEqual({
      status: 'missing',
      reason: 'no secret is configured for this source',
    });
    expect(verifyIntakeRequest({ headers: { authorization: 'Bearer ' }, body: '' }, [{ type: 'bearer', secrets: [''] }]).status).not.toBe('ok');
  });
});

describe('signature checks survive any input', () => {
  it('never throw on any headers, body or scheme list: the answer is ok, missing or mismatch', () => {
    const headerValue = fc.oneof(fc.string(), fc.array(fc.string()), fc.constant(undefined), fc.integer() as fc.Arbitrary<unknown>);
    const headers = fc.dictionary(fc.constantFrom('authorization', 'x-pagerduty-signature', 'X-Hub-Signature', 'x-impact-token', 'other'), headerValue);
    const scheme = fc.oneof(
      fc.constant(pagerduty),
      fc.constant<AuthScheme>({ type: 'hub-signature', secrets: ['s'] }),
      fc.constant<AuthScheme>({ type: 'bearer', secrets: ['token'] }),
      fc.constant<AuthScheme>({ type: 'header', name: 'X-Impact-Token', secrets: ['t'] }),
      fc.anything() as fc.Arbitrary<unknown>,
    );
    fc.assert(
      fc.property(headers, fc.oneof(fc.string(), fc.uint8Array(), fc.anything()), fc.array(scheme, { maxLength: 3 }), (h, b, schemes) => {
        const result = verifyIntakeRequest({ headers: h as never, body: b as never }, schemes as AuthScheme[]);
        expect(['ok', 'missing', 'mismatch']).toContain(result.status);
      }),
      { numRuns: 500 },
    );
  });
});
