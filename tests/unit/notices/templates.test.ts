import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../functions/adapters/template-files.ts';
import { NOTICE_KINDS } from '../../../functions/domain/notices/kinds.ts';
import {
  TEMPLATE_KINDS,
  checkTemplates,
  formatTemplateProblem,
  parseTemplate,
  renderTemplate,
  resolveLocale,
  templateSetOf,
  type TemplateFile,
} from '../../../functions/domain/notices/templates.ts';

const locale = (
  lang: string,
  words = 'intl: en-GB\neffect: { outage: down, degraded: slow, none: fine }\nservice: the service\nunknownTime: further notice\nmore: "{{count}} more"\n',
): TemplateFile => ({
  locale: lang,
  name: 'locale.yaml',
  file: `t/${lang}/locale.yaml`,
  text: words,
});
const notice = (
  lang: string,
  kind: string,
  front = 'subject: "Hi {{title}}"\nsms: "SMS {{touchpoints}}"\npush: "Push {{touchpoints}}"',
  body = 'Body {{touchpoints}}.',
): TemplateFile => ({
  locale: lang,
  name: `${kind}.md`,
  file: `t/${lang}/${kind}.md`,
  text: `---\n${front}\n---\n${body}\n`,
});
/** A complete English folder, with overrides per kind. */
const english = (overrides: Record<string, TemplateFile | undefined> = {}): TemplateFile[] => [
  locale('en'),
  ...TEMPLATE_KINDS.flatMap((k) => (k in overrides ? (overrides[k] ? [overrides[k]!] : []) : [notice('en', k)])),
];
const errors = (files: TemplateFile[]) => checkTemplates(templateSetOf(files, 't')).filter((p) => p.severity === 'error');

describe('the placeholder language', () => {
  it('given values, when rendered, then placeholders print them and sections keep or drop their content', () => {
    const { nodes, names, problems } = parseTemplate(
      'Until {{to}}.{{#customerMessage}} {{customerMessage}}{{/customerMessage}}{{^expectedResolution}} No estimate.{{/expectedResolution}}',
    );
    expect(problems).toEqual([]);
    expect(names).toEqual(['to', 'customerMessage', 'expectedResolution']);
    expect(renderTemplate(nodes, { to: '05:00', customerMessage: 'Use the app.' })).toBe('Until 05:00. Use the app. No estimate.');
    expect(renderTemplate(nodes, { to: '05:00', customerMessage: '', expectedResolution: '06:00' })).toBe('Until 05:00.');
  });

  it('given an unknown value, when rendered, then its placeholder prints the fallback (the "further notice" words)', () => {
    const { nodes } = parseTemplate('Until {{ to }}.');
    expect(renderTemplate(nodes, {}, { to: 'further notice' })).toBe('Until further notice.');
    expect(renderTemplate(nodes, {})).toBe('Until .');
  });

  it('given unbalanced sections or a stray {{, when parsed, then each problem is named with its fix', () => {
    expect(parseTemplate('{{#customerMessage}}x').problems).toEqual([{ message: '{{#customerMessage}} is never closed', fix: 'add {{/customerMessage}}' }]);
    expect(parseTemplate('x{{/to}}').problems).toEqual([{ message: '{{/to}} closes a section that is not open', fix: 'remove it or add {{#to}} before it' }]);
    expect(parseTemplate('{{#a}}{{^b}}x{{/a}}').problems).toEqual([{ message: '{{^b}} is closed by {{/a}}', fix: 'add {{/b}} before {{/a}}' }]);
    expect(parseTemplate('Hi {{title').problems).toEqual([{ message: '"{{" is never closed', fix: 'write placeholders as {{name}}' }]);
    expect(parseTemplate('{{no way}}').problems[0].message).toBe('{{no way}} is not a placeholder');
  });

  it('values are inserted as they are: a value that looks like a placeholder is not expanded again', () => {
    const { nodes } = parseTemplate('{{customerMessage}}');
    expect(renderTemplate(nodes, { customerMessage: '{{title}} <b>', title: 'T' })).toBe('{{title}} <b>');
  });
});

describe('checking a template set', () => {
  it('given a complete English folder, then there is nothing to report', () => {
    expect(checkTemplates(templateSetOf(english(), 't'))).toEqual([]);
  });

  it('given an unknown placeholder in a field, then the file, the field and the known names are given', () => {
    const [problem] = errors(english({ reminder: notice('en', 'reminder', 'subject: "Hi {{titel}}"\nsms: "x"\npush: "y"') }));
    expect(problem).toMatchObject({ file: 't/en/reminder.md', field: 'subject', message: 'unknown placeholder {{titel}}' });
    expect(problem.fix).toContain('{{title}}');
    expect(formatTemplateProblem(problem)).toMatch(/^t\/en\/reminder\.md: subject: unknown placeholder \{\{titel\}\}; fix: use one of \{\{title\}\}, /);
  });

  it('given missing or unknown front-matter fields, then each is a problem naming the field', () => {
    const problems = errors(english({ reminder: notice('en', 'reminder', 'subject: "Hi"\nsmss: "x"') }));
    expect(problems.map((p) => `${p.file} ${p.field} ${p.message}`)).toEqual([
      't/en/reminder.md smss is not a front-matter field',
      't/en/reminder.md sms is missing',
      't/en/reminder.md push is missing',
    ]);
  });

  it('given a kind missing in English, then it is an error; missing in another locale, a warning (English is sent)', () => {
    const files = [...english({ 'change-failed': undefined }), locale('de'), ...TEMPLATE_KINDS.filter((k) => k !== 'reminder').map((k) => notice('de', k))];
    const problems = checkTemplates(templateSetOf(files, 't'));
    expect(problems.map((p) => [p.severity, p.file])).toEqual([
      ['error', 't/en/change-failed.md'],
      ['warning', 't/de/reminder.md'],
    ]);
  });

  it('given an SMS form too long for two parts with long sample values, then the problem says by how much', () => {
    const long = `sms: "${'Wartung '.repeat(40)}{{touchpoints}}"`;
    const [problem] = errors(english({ reminder: notice('en', 'reminder', `subject: "x"\n${long}\npush: "y"`) }));
    expect(problem).toMatchObject({ file: 't/en/reminder.md', field: 'sms' });
    expect(problem.message).toMatch(/^needs 3 SMS parts \(\d+ GSM-7 characters\) with long sample values, at most 2 allowed/);
    expect(problem.fix).toMatch(/^shorten it by at least \d+ characters/);
  });

  it('given a UCS-2 SMS form, then the fix mentions the characters that halve the room', () => {
    const [problem] = errors(
      english({ reminder: notice('en', 'reminder', `subject: "x"\nsms: "${'Fenêtre de maintenance à l’aéroport. '.repeat(4)}"\npush: "y"`) }),
    );
    expect(problem.field).toBe('sms');
    expect(problem.message).toContain('UCS-2');
    expect(problem.fix).toContain('outside the GSM-7 alphabet');
  });

  it('given a push form over 178 characters with sample values, then it is reported', () => {
    const [problem] = errors(english({ reminder: notice('en', 'reminder', `subject: "x"\nsms: "y"\npush: "${'x'.repeat(179)}"`) }));
    expect(problem).toMatchObject({ field: 'push', message: expect.stringMatching(/^is 179 characters/) });
  });

  it('given unbalanced sections, bad YAML, no front matter, an empty body, then every one is listed', () => {
    const problems = errors(
      english({
        reminder: notice('en', 'reminder', 'subject: "x"\nsms: "{{#customerMessage}}x"\npush: "y"'),
        'change-notice': notice('en', 'change-notice', 'subject: Planned: {{title}}\nsms: x\npush: y'),
        'change-update': { locale: 'en', name: 'change-update.md', file: 't/en/change-update.md', text: 'Just a body' },
        'all-clear': notice('en', 'all-clear', undefined, '   '),
      }),
    );
    expect(problems.map((p) => `${p.file}: ${p.field}: ${p.message}`)).toEqual([
      't/en/change-notice.md: (file): the front matter is not valid YAML: Nested mappings are not allowed in compact mappings',
      't/en/change-update.md: (file): has no front matter',
      't/en/reminder.md: sms: {{#customerMessage}} is never closed',
      't/en/all-clear.md: body: is empty',
    ]);
    expect(problems[0].fix).toContain('quote values');
  });

  it('given a file named after no kind, a locale folder without locale.yaml or with a bad one, then each is an error', () => {
    const files = [
      ...english(),
      notice('en', 'change-notise'),
      notice('fr', 'reminder'),
      locale('de', 'intl: de-DE\neffect: { outage: nicht verfügbar }\nservice: x\nunknownTime: y\nmore: "{{n}} weitere"\n'),
    ];
    expect(errors(files).map((p) => `${p.file}: ${p.field}: ${p.message}`)).toEqual([
      't/de/locale.yaml: effect.none: is missing',
      't/de/locale.yaml: effect.degraded: is missing',
      't/de/locale.yaml: more.other: may only use {{count}}',
      't/en/change-notise.md: (file): "change-notise" is not a notice kind',
      't/fr/locale.yaml: (file): is missing: without it this locale cannot be used',
    ]);
  });

  it('given a stray file in a locale folder, then a warning that it is ignored', () => {
    const problems = checkTemplates(templateSetOf([...english(), { locale: 'en', name: 'notes.txt', file: 't/en/notes.txt', text: 'x' }], 't'));
    expect(problems).toEqual([
      {
        file: 't/en/notes.txt',
        field: '(file)',
        message: 'is neither a notice template nor locale.yaml and is ignored',
        fix: 'name templates <kind>.md, or move the file out of the locale folder',
        severity: 'warning',
      },
    ]);
  });

  it('given no English folder at all, then that is the error', () => {
    expect(errors([locale('nl')]).map((p) => p.message)).toEqual(['there are no English templates, the fallback for every locale']);
  });
});

describe('locales', () => {
  const set = templateSetOf([...english(), locale('nl'), notice('nl', 'reminder'), locale('pt-BR'), notice('pt-BR', 'reminder')], 't');
  it('resolve from the most specific tag to the language, then English', () => {
    expect(resolveLocale(set, 'nl-NL')).toBe('nl');
    expect(resolveLocale(set, 'nl_BE')).toBe('nl');
    expect(resolveLocale(set, 'NL')).toBe('nl');
    expect(resolveLocale(set, 'pt-br')).toBe('pt-BR');
    expect(resolveLocale(set, 'pt-PT')).toBe('en');
    expect(resolveLocale(set, 'ja-JP')).toBe('en');
    expect(resolveLocale(set, 'not a tag!')).toBe('en');
    expect(resolveLocale(set, undefined)).toBe('en');
  });
});

describe('the shipped templates (templates/)', () => {
  const shipped = loadTemplates();
  it('pass the check: no errors and no warnings', () => {
    expect(checkTemplates(shipped).map(formatTemplateProblem)).toEqual([]);
  });

  it('cover every kind of kinds.ts (NOTICE_KINDS) in every shipped locale; kinds ahead of kinds.ts are allowed', () => {
    for (const lang of ['en', 'nl', 'de', 'fr', 'es']) {
      const folder = shipped.locales.get(lang);
      expect(folder?.words, `${lang}/locale.yaml`).toBeDefined();
      for (const kind of NOTICE_KINDS) expect(folder?.notices.has(kind), `${lang}/${kind}.md`).toBe(true);
    }
    expect(TEMPLATE_KINDS).toEqual(expect.arrayContaining([...NOTICE_KINDS, 'change-failed']));
  });
});

describe("loading the pipeline's templates (IMPACT_TEMPLATES_DIR)", () => {
  const render = (dir: string) =>
    promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          `const { defaultTemplates } = await import(${JSON.stringify(new URL('../../../functions/adapters/template-files.ts', import.meta.url).href)});`,
          `const { renderNoticeWith } = await import(${JSON.stringify(new URL('../../../functions/domain/notices/render.ts', import.meta.url).href)});`,
          "process.stdout.write(renderNoticeWith(defaultTemplates(), 'reminder', 'nl-NL', { subjectTitle: 'T', touchpoints: [], effect: 'outage' }).title);",
        ].join('\n'),
      ],
      { env: { ...process.env, IMPACT_TEMPLATES_DIR: dir } },
    ).then(
      ({ stdout }) => ({ ok: true, out: stdout }),
      (error: { stderr: string }) => ({ ok: false, out: error.stderr }),
    );

  it('given a folder in IMPACT_TEMPLATES_DIR (as a Lambda bundle ships it), then its texts are used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'impact-templates-'));
    cpSync(new URL('../../../templates/', import.meta.url), dir, { recursive: true });
    writeFileSync(join(dir, 'nl/reminder.md'), '---\nsubject: "Let op: {{title}}"\nsms: "x"\npush: "y"\n---\nTekst\n');
    expect(await render(dir)).toEqual({ ok: true, out: 'Let op: T' });
  });

  it('given a folder with errors, then the first notice fails with every problem, not a half-used set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'impact-templates-'));
    cpSync(new URL('../../../templates/', import.meta.url), dir, { recursive: true });
    writeFileSync(join(dir, 'en/reminder.md'), '---\nsubject: "{{titel}}"\nsms: "x"\npush: "y"\n---\nBody\n');
    const { ok, out } = await render(dir);
    expect(ok).toBe(false);
    expect(out).toContain(`TemplateFilesError: the templates in ${dir} have 1 problem(s); run impact templates check`);
    expect(out).toContain(`${dir}/en/reminder.md: subject: unknown placeholder {{titel}}`);
  });
});
