import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { consoleServer } from '../../../lib/local/console-server.ts';
import { close, listen } from '../../../lib/local/http.ts';
import { LocalCredentials, intakeBanner, readLocalIntake } from '../../../lib/local/intake.ts';

describe('impact.local.json: intake', () => {
  it('given secrets and a severity rule, then the configuration without the secrets, and each secret checked', () => {
    const read = readLocalIntake({ secrets: { pagerduty: 'pd-secret', servicenow: { secrets: ['pw'], username: 'sn' } }, pagerduty: { severity: 'sev3' } });
    expect(read).toEqual({
      ok: true,
      intake: { config: { pagerduty: { severity: 'sev3' } }, secrets: { pagerduty: 'pd-secret', servicenow: { secrets: ['pw'], username: 'sn' } } },
    });
    expect(readLocalIntake(undefined)).toEqual({ ok: true, intake: { config: {}, secrets: {} } });
  });

  it('given mistakes, then every problem with its path, and no secret repeated', () => {
    const read = readLocalIntake({ secrets: { opsgenie: 'x', jira: { secrets: [] } }, pagerduty: { effect: 'down' } });
    expect(read.ok).toBe(false);
    const problems = read.ok ? [] : read.problems;
    expect(problems).toEqual([
      expect.stringMatching(/^intake\.pagerduty\.effect: must be one of outage, degraded \(got "down"\)/),
      expect.stringMatching(/^intake\.secrets\.opsgenie: no such intake source; use /),
      'intake.secrets.jira.secrets: is empty: give at least one secret',
    ]);
    expect(readLocalIntake(['nope'])).toMatchObject({ ok: false, problems: [expect.stringMatching(/^intake must be an object/)] });
  });

  it('a source without a secret takes unsigned requests; with one, the schemes of its secret; the banner says which, per source', async () => {
    const credentials = new LocalCredentials({ pagerduty: 'pd-secret' });
    expect(await credentials.schemesFor('servicenow')).toBe('unsigned');
    expect(await credentials.schemesFor('pagerduty')).toEqual([{ type: 'pagerduty-signature', secrets: ['pd-secret'] }]);
    const banner = intakeBanner('http://127.0.0.1:3000', { pagerduty: 'pd-secret' });
    expect(banner).toHaveLength(4);
    expect(banner).toContain('  intake:   http://127.0.0.1:3000/api/intake/pagerduty   (signed: X-PagerDuty-Signature (HMAC-SHA256))');
    expect(banner).toContain('  intake:   http://127.0.0.1:3000/api/intake/servicenow   (unsigned: no intake.secrets.servicenow in impact.local.json)');
    expect(banner.join('\n')).not.toContain('pd-secret');
  });
});

describe('local API server: request bodies as API Gateway hands them over', () => {
  let server: Server | undefined;
  afterEach(async () => server && close(server));

  it('text as it is; bytes that are not UTF-8 base64-encoded, so a signature over them still checks', async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'impact-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html>');
    const web = consoleServer({ webRoot, outboxFile: join(webRoot, 'outbox.jsonl'), log: () => {} });
    const seen: APIGatewayProxyEventV2[] = [];
    web.setApi(async (event) => {
      seen.push(event);
      return { statusCode: 202, body: '{}' };
    });
    server = web.server;
    const url = `http://127.0.0.1:${await listen(server, 0, 'test', '--test-port')}`;
    const latin1 = Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"n":"é"} in ISO-8859-1
    await fetch(`${url}/api/intake/servicenow`, { method: 'POST', body: '{"n":"é"}' });
    await fetch(`${url}/api/intake/servicenow`, { method: 'POST', body: latin1 });
    expect(seen[0]).toMatchObject({ body: '{"n":"é"}', isBase64Encoded: false });
    expect(seen[1]).toMatchObject({ body: latin1.toString('base64'), isBase64Encoded: true });
    expect(Buffer.from(seen[1].body!, 'base64')).toEqual(latin1);
  });
});
