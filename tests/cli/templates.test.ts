import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, impact } from '../support/cli.ts';

/** A copy of the shipped templates with some files replaced (text) or removed (null). */
const folder = (changes: Record<string, string | null>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'impact-templates-'));
  cpSync(join(ROOT, 'templates'), dir, { recursive: true });
  for (const [file, text] of Object.entries(changes)) {
    if (text === null) rmSync(join(dir, file));
    else writeFileSync(join(dir, file), text);
  }
  return dir;
};

describe('impact templates check', () => {
  it('the shipped templates are valid: all kinds in five locales (run as the README writes it)', async () => {
    const { code, stdout, stderr } = await impact('templates', 'check');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('valid: 55 templates in 5 locales (de, en, es, fr, nl) for 11 kinds\n');
    expect((await impact('templates', 'check', '--dir', 'templates')).stdout).toBe(stdout);
  });

  it('bad templates: exit 2, nothing on stdout, every problem with file, field and fix', async () => {
    const dir = folder({
      'en/reminder.md': '---\nsubject: "Reminder: {{titel}}"\nsms: "{{#customerMessage}}{{customerMessage}}"\n---\nBody\n',
      'en/change-failed.md': null,
      'de/change-notice.md': `---\nsubject: "Wartung"\nsms: "${'Wartungsarbeiten im Rechenzentrum, '.repeat(9)}"\npush: "{{touchpoints}}"\n---\nText\n`,
    });
    const { code, stdout, stderr } = await impact('templates', 'check', '--dir', dir);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      `error: ${dir}/en/reminder.md: sms: {{#customerMessage}} is never closed; fix: add {{/customerMessage}}`,
      `error: ${dir}/en/reminder.md: push: is missing; fix: add push: "…" to the front matter (the push notification body, one line)`,
      expect.stringMatching(
        new RegExp(
          `^error: ${dir}/de/change-notice\\.md: sms: needs 3 SMS parts \\(\\d+ GSM-7 characters\\) with long sample values, at most 2 allowed: ".*"; fix: shorten it by at least \\d+ characters$`,
        ),
      ),
      `error: ${dir}/en/change-failed.md: (file): is missing: English is the fallback, so "change-failed" notices cannot be sent; fix: add ${dir}/en/change-failed.md`,
    ]);
  });

  it('an unknown placeholder names the placeholders there are', async () => {
    const dir = folder({ 'nl/reminder.md': '---\nsubject: "Herinnering: {{titel}}"\nsms: "x"\npush: "y"\n---\nTekst\n' });
    const { code, stderr } = await impact('templates', 'check', '--dir', dir);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `error: ${dir}/nl/reminder.md: subject: unknown placeholder {{titel}}; fix: use one of {{title}}, {{touchpoints}}, {{effect}}, {{from}}, {{to}}, {{expectedResolution}}, {{customerMessage}}, {{stillUnavailable}}`,
    );
  });

  it('a kind missing in another locale is a warning (English goes out): exit 0', async () => {
    const dir = folder({ 'es/reminder.md': null });
    const { code, stdout, stderr } = await impact('templates', 'check', '--dir', dir);
    expect(code).toBe(0);
    expect(stdout).toBe('valid: 54 templates in 5 locales (de, en, es, fr, nl) for 11 kinds, 1 warning(s)\n');
    expect(stderr).toBe(
      `warning: ${dir}/es/reminder.md: (file): is missing: "reminder" notices to this locale go out in English; fix: add ${dir}/es/reminder.md, translated from ${dir}/en/reminder.md\n`,
    );
  });

  it('adding a locale is adding a folder: a Portuguese folder is picked up', async () => {
    const dir = folder({});
    cpSync(join(dir, 'es'), join(dir, 'pt-BR'), { recursive: true });
    const { code, stdout } = await impact('templates', 'check', '--dir', dir);
    expect(code).toBe(0);
    expect(stdout).toBe('valid: 66 templates in 6 locales (de, en, es, fr, nl, pt-BR) for 11 kinds\n');
  });

  it('a folder that does not exist: exit 2 naming it', async () => {
    const { code, stdout, stderr } = await impact('templates', 'check', '--dir', 'no/such/dir');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: cannot read the templates folder no/such/dir: ENOENT; check the path, or set IMPACT_TEMPLATES_DIR\n');
  });
});

describe('impact templates preview', () => {
  it('as the README writes it: the German SMS of a change notice with the sample values', async () => {
    const { code, stdout } = await impact('templates', 'preview', '--kind', 'change-notice', '--locale', 'de-DE', '--channel', 'sms');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^change-notice in de \(asked for de-DE\), from templates\/de\/change-notice\.md\n\nsms \(GSM-7, 2 parts, \d+ characters\)\n {4}Geplante Wartung vom 29\.09\.2026, 23:45 bis 30\.09\.2026, 05:45: Website checkout und Check-in kiosks Schiphol \(langsamer oder nur eingeschränkt verfügbar\)\. Please use/,
    );
  });

  it('shows the SMS a German customer would get, with its encoding and parts', async () => {
    const { code, stdout, stderr } = await impact(
      'templates',
      'preview',
      '--kind',
      'change-notice',
      '--locale',
      'de-DE',
      '--channel',
      'sms',
      '--touchpoint',
      'Online-Check-in',
      '--message',
      'Bitte nutzen Sie die App.',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      'change-notice in de (asked for de-DE), from templates/de/change-notice.md\n\n' +
        'sms (GSM-7, 1 part, 149 characters)\n' +
        '    Geplante Wartung vom 29.09.2026, 23:45 bis 30.09.2026, 05:45: Online-Check-in (langsamer oder nur eingeschränkt verfügbar). Bitte nutzen Sie die App.\n',
    );
  });

  it('--format json lists every channel; a locale without templates falls back to English', async () => {
    const { code, stdout } = await impact('templates', 'preview', '--kind', 'incident-resolved', '--locale', 'ja-JP', '--format', 'json', '--effect', 'outage');
    expect(code).toBe(0);
    const previews = JSON.parse(stdout);
    expect(previews.map((p: { channel: string; locale: string }) => `${p.channel}:${p.locale}`)).toEqual(['email:en', 'sms:en', 'push:en']);
    expect(previews[0]).toMatchObject({
      subject: 'Resolved: Payments database failover and network maintenance',
      html: expect.stringContaining('<html lang="en" dir="ltr">'),
    });
  });

  it('bad input: exit 2 naming the option, the value and what to use', async () => {
    const kind = await impact('templates', 'preview', '--kind', 'change-noticed', '--locale', 'en');
    expect(kind.code).toBe(2);
    expect(kind.stdout).toBe('');
    expect(kind.stderr).toContain("error: option '--kind <kind>' argument 'change-noticed' is invalid. Allowed choices are change-notice,");
    const bad = await impact('templates', 'preview', '--kind', 'reminder', '--locale', 'en GB', '--time-zone', 'Europe/Amsterdm');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'error: --locale "en GB" is not a BCP 47 locale tag; use e.g. en-GB, nl-NL, de\nerror: --time-zone "Europe/Amsterdm" is not an IANA time zone; use e.g. Europe/Amsterdam\n',
    );
  });
});
