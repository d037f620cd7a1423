/**
 * Checks a template set before it is used: by `impact templates check`, at cold start, and (once the
 * stack calls it) at synth. Lists every problem at once, each naming the file, the field and the fix.
 */
import { EMAIL_SUBJECT_MAX } from './email.ts';
import { PUSH_BODY_MAX, renderUnshortened, type NoticeContext } from './render.ts';
import { MAX_SMS_SEGMENTS, smsLength } from './sms.ts';
import {
  FALLBACK_LOCALE,
  LOCALE_FILE,
  PLACEHOLDER_NAMES,
  TEMPLATE_KINDS,
  type LocaleTemplates,
  type NoticeTemplate,
  type TemplateField,
  type TemplateProblem,
  type TemplateSet,
  templatePath,
} from './template-set.ts';

/**
 * Long but realistic values: a two-part title, two touchpoints with long names, the longest month
 * abbreviations (September) and, per locale, the longer effect. The short forms must fit with these
 * before any shortening; the customer message is left out, as it is the first thing shortening drops.
 */
export const SAMPLE_CONTEXT: NoticeContext = {
  subjectTitle: 'Payments database failover and network maintenance',
  touchpoints: ['Website checkout', 'Check-in kiosks Schiphol'],
  stillUnavailable: ['Check-in kiosks Schiphol'],
  effect: 'degraded',
  start: Date.UTC(2026, 8, 29, 21, 45),
  end: Date.UTC(2026, 8, 30, 3, 45),
  expectedResolutionAt: Date.UTC(2026, 8, 30, 9, 45),
  timeZone: 'Europe/Amsterdam',
  customerMessage: 'Please use the mobile app or the kiosks at the airport until then; your booking is not affected.',
};

const placeholderProblems = (t: NoticeTemplate): TemplateProblem[] =>
  (Object.entries(t.fields) as [TemplateField, NoticeTemplate['fields'][TemplateField]][]).flatMap(([field, parsed]) =>
    parsed.names
      .filter((name) => !(PLACEHOLDER_NAMES as string[]).includes(name))
      .map((name) => ({
        file: t.file,
        field,
        message: `unknown placeholder {{${name}}}`,
        fix: `use one of ${PLACEHOLDER_NAMES.map((n) => `{{${n}}}`).join(', ')}`,
        severity: 'error' as const,
      })),
  );

const lengthProblems = (t: NoticeTemplate, words: NonNullable<LocaleTemplates['words']>): TemplateProblem[] => {
  const problems: TemplateProblem[] = [];
  const sample = { ...SAMPLE_CONTEXT, customerMessage: undefined };
  // The longer of the two effect phrasings decides.
  const renders = (['outage', 'degraded'] as const).map((effect) => renderUnshortened(t, words, { ...sample, effect }));
  // biome-ignore lint/performance/noAccumulatingSpread: spreads a string to count its code points, nothing accumulates.
  const longest = (pick: (r: (typeof renders)[number]) => string) => renders.map(pick).reduce((a, b) => ([...b].length > [...a].length ? b : a));
  const sms = longest((r) => r.sms);
  const length = smsLength(sms);
  if (length.segments > MAX_SMS_SEGMENTS) {
    const room = length.encoding === 'GSM-7' ? 2 * 153 : 2 * 67;
    problems.push({
      file: t.file,
      field: 'sms',
      message: `needs ${length.segments} SMS parts (${length.units} ${length.encoding === 'GSM-7' ? 'GSM-7 characters' : 'UCS-2 units'}) with long sample values, at most ${MAX_SMS_SEGMENTS} allowed: "${sms}"`,
      fix: `shorten it by at least ${length.units - room} characters${length.encoding === 'UCS-2' ? ', or avoid characters outside the GSM-7 alphabet, which halve the room' : ''}`,
      severity: 'error',
    });
  }
  const push = longest((r) => r.push);
  if ([...push].length > PUSH_BODY_MAX) {
    problems.push({
      file: t.file,
      field: 'push',
      message: `is ${[...push].length} characters with long sample values, at most ${PUSH_BODY_MAX} fit a lock screen: "${push}"`,
      fix: `shorten it by at least ${[...push].length - PUSH_BODY_MAX} characters`,
      severity: 'error',
    });
  }
  const subject = longest((r) => r.subject);
  if ([...subject].length > EMAIL_SUBJECT_MAX) {
    problems.push({
      file: t.file,
      field: 'subject',
      message: `is ${[...subject].length} characters with long sample values, at most ${EMAIL_SUBJECT_MAX} allowed`,
      fix: `shorten it by at least ${[...subject].length - EMAIL_SUBJECT_MAX} characters`,
      severity: 'error',
    });
  }
  return problems;
};

/** Every problem of a template set: parse errors, unknown names, missing English, short forms too long. */
export const checkTemplates = (set: TemplateSet): TemplateProblem[] => {
  const problems: TemplateProblem[] = [...set.problems];
  const kinds: readonly string[] = TEMPLATE_KINDS;
  const english = set.locales.get(FALLBACK_LOCALE);
  const path = (locale: string, name: string) => templatePath(set, locale, name);
  if (!english) {
    problems.push({
      file: path(FALLBACK_LOCALE, ''),
      field: '(folder)',
      message: 'there are no English templates, the fallback for every locale',
      fix: `add a folder ${FALLBACK_LOCALE}/ with ${LOCALE_FILE} and one <kind>.md per kind`,
      severity: 'error',
    });
  }
  for (const entry of set.locales.values()) {
    const dir = entry.locale;
    if (!entry.files.has(LOCALE_FILE)) {
      problems.push({
        file: path(dir, LOCALE_FILE),
        field: '(file)',
        message: 'is missing: without it this locale cannot be used',
        fix: `copy ${FALLBACK_LOCALE}/${LOCALE_FILE} and translate it`,
        severity: 'error',
      });
    }
    for (const t of entry.notices.values()) {
      if (!kinds.includes(t.kind)) {
        problems.push({
          file: t.file,
          field: '(file)',
          message: `"${t.kind}" is not a notice kind`,
          fix: `rename it to one of ${kinds.map((k) => `${k}.md`).join(', ')}`,
          severity: 'error',
        });
        continue;
      }
      problems.push(...placeholderProblems(t));
      if (entry.words) problems.push(...lengthProblems(t, entry.words));
    }
    for (const kind of kinds) {
      const name = `${kind}.md`;
      if (entry.files.has(name)) continue;
      if (entry === english) {
        problems.push({
          file: path(dir, name),
          field: '(file)',
          message: `is missing: English is the fallback, so "${kind}" notices cannot be sent`,
          fix: `add ${path(dir, name)}`,
          severity: 'error',
        });
      } else {
        problems.push({
          file: path(dir, name),
          field: '(file)',
          message: `is missing: "${kind}" notices to this locale go out in English`,
          fix: `add ${path(dir, name)}, translated from ${path(FALLBACK_LOCALE, name)}`,
          severity: 'warning',
        });
      }
    }
  }
  return problems;
};

export const templateErrors = (problems: readonly TemplateProblem[]): TemplateProblem[] => problems.filter((p) => p.severity === 'error');
