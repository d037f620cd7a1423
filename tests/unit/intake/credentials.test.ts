import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUTH_SCHEMES,
  HTTP_INTAKE_SOURCES,
  checkIntakeCredential,
  credentialFromSecretString,
  describeSchemes,
  intakeSchemes,
  verifyIntakeRequest,
} from '../../../functions/domain/intake/index.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('intake credentials: from a secret to the schemes a source is checked with', () => {
  it('the HTTP sources are the tools with signature schemes; AWS Health is not one of them', () => {
    expect(HTTP_INTAKE_SOURCES.sort()).toEqual(['alertmanager', 'jira', 'pagerduty', 'servicenow']);
    expect(HTTP_INTAKE_SOURCES).not.toContain('aws-health');
  });

  it('given one shared secret, then every scheme of the tool checks it, with the default user and header', () => {
    for (const source of HTTP_INTAKE_SOURCES) {
      const schemes = intakeSchemes(source, 's3cret');
      expect(
        schemes.map((s) => s.type),
        source,
      ).toEqual(AUTH_SCHEMES[source]);
      for (const s of schemes) expect(s.secrets).toEqual(['s3cret']);
    }
    expect(intakeSchemes('servicenow', 's3cret')).toEqual([
      { type: 'basic', username: 'impact', secrets: ['s3cret'] },
      { type: 'header', name: 'X-Impact-Token', secrets: ['s3cret'] },
    ]);
  });

  it('given ServiceNow basic auth as the default user, or the default header, then the request passes; another user does not', () => {
    const schemes = intakeSchemes('servicenow', 's3cret');
    expect(verifyIntakeRequest({ headers: { authorization: basic('impact', 's3cret') }, body: '{}' }, schemes).status).toBe('ok');
    expect(verifyIntakeRequest({ headers: { 'x-impact-token': 's3cret' }, body: '{}' }, schemes).status).toBe('ok');
    expect(verifyIntakeRequest({ headers: { authorization: basic('admin', 's3cret') }, body: '{}' }, schemes).status).toBe('mismatch');
  });

  it('given two secrets during a rotation and our own user and header names, then both secrets sign and the names are used', () => {
    const schemes = intakeSchemes('jira', { secrets: ['new', 'old'], header: 'X-Jira-Token' });
    const body = '{"webhookEvent":"jira:issue_updated"}';
    const signed = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    expect(verifyIntakeRequest({ headers: { 'x-hub-signature': signed('old') }, body }, schemes).status).toBe('ok');
    expect(verifyIntakeRequest({ headers: { 'x-jira-token': 'new' }, body }, schemes).status).toBe('ok');
    expect(verifyIntakeRequest({ headers: { 'x-impact-token': 'new' }, body }, schemes).status).toBe('missing');
    expect(describeSchemes(schemes)).toBe('X-Hub-Signature (HMAC-SHA256) or X-Jira-Token header');
  });

  it('given a Secrets Manager string, then plain text is the secret itself and JSON is the object form', () => {
    expect(credentialFromSecretString('alertmanager', '  tok-123\n', 'arn:secret')).toEqual({ ok: true, credential: 'tok-123' });
    expect(credentialFromSecretString('alertmanager', '{"secrets":["a","b"],"username":"prom"}', 'arn:secret')).toEqual({
      ok: true,
      credential: { secrets: ['a', 'b'], username: 'prom' },
    });
    const broken = credentialFromSecretString('alertmanager', '{"secrets": [', 'arn:secret');
    expect(broken).toEqual({ ok: false, problems: [{ path: 'arn:secret', message: expect.stringMatching(/not JSON: give the secret as plain text/) }] });
  });

  it('given a bad credential, then each problem names its path and the fix, and never repeats a secret', () => {
    const check = checkIntakeCredential('servicenow', { secrets: ['hunter2', ''], username: 'a:b', header: 'bad header' });
    expect(check.ok).toBe(false);
    const problems = check.ok ? [] : check.problems;
    expect(problems).toEqual([
      { path: 'intake.secrets.servicenow.secrets.1', message: 'is empty: give the shared secret' },
      { path: 'intake.secrets.servicenow.username', message: 'must be a user name without ":" or spaces' },
      { path: 'intake.secrets.servicenow.header', message: 'must be an HTTP header name such as X-Impact-Token' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
    expect(checkIntakeCredential('pagerduty', 42)).toMatchObject({
      ok: false,
      problems: [{ path: 'intake.secrets.pagerduty', message: expect.stringMatching(/shared secret as text/) }],
    });
  });
});
