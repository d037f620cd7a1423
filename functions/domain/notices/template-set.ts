/**
 * Notice templates as data: one file per kind and locale (`<locale>/<kind>.md`: YAML front matter with
 * the short forms, the e-mail body below it) and one `<locale>/locale.yaml` with the words a sentence
 * needs around the values (effects, "further notice", "3 more"). Parsing never throws: what cannot be
 * used is left out of the set and described in `problems`, so a check can list every problem at once.
 */
import { parseDocument } from 'yaml';
import { EFFECTS, type Effect } from '../model.ts';
import { NOTICE_KINDS, type NoticeKind } from './kinds.ts';
import { parseTemplate, type ParsedTemplate } from './template-engine.ts';

/** Kinds that have templates before kinds.ts plans them (issue 15: a failed change tells those told). */
const KINDS_AHEAD_OF_PLANNING = ['change-failed'] as const;
export type TemplateKind = NoticeKind | (typeof KINDS_AHEAD_OF_PLANNING)[number];
/** Every notice kind (kinds.ts is the source) plus those ahead of it: each needs an English template. */
export const TEMPLATE_KINDS: readonly TemplateKind[] = [...new Set<TemplateKind>([...NOTICE_KINDS, ...KINDS_AHEAD_OF_PLANNING])];

/** What a template may insert, each described for authors (shown by `impact templates check`). */
export const PLACEHOLDERS = {
  title: "the change's or incident's title",
  touchpoints: 'the affected touchpoints by name, as a list ("Website checkout and Check-in kiosks")',
  effect: 'how they are affected, in the words of locale.yaml (effect.outage, effect.degraded)',
  from: "start of the window, or of the incident, in the customer's time zone",
  to: 'end of the window (unknown for an open incident)',
  expectedResolution: 'when service is expected back, if someone said so',
  customerMessage: 'what the person in charge wants customers to know (free text)',
  stillUnavailable: 'after a failed change: what is still unavailable (defaults to the touchpoints)',
  rolledBack: 'known only when a failed change was rolled back (everything works as before): use as a section, {{#rolledBack}}…{{/rolledBack}}',
} as const;
export type Placeholder = keyof typeof PLACEHOLDERS;
export const PLACEHOLDER_NAMES = Object.keys(PLACEHOLDERS) as Placeholder[];

/** Front matter of a notice template; the Markdown body below it is the e-mail's plain-text part. */
export const FRONT_MATTER_FIELDS = {
  subject: 'the e-mail subject, also the notice title and the push title',
  sms: 'the SMS, one line (shortened to fit two SMS parts when the values are long)',
  push: 'the push notification body, one line',
} as const;
export type FrontMatterField = keyof typeof FRONT_MATTER_FIELDS;
export type TemplateField = FrontMatterField | 'body';

export const FALLBACK_LOCALE = 'en';
export const LOCALE_FILE = 'locale.yaml';

export interface TemplateFile {
  /** The folder name: a BCP 47 tag (`en`, `nl`, `pt-BR`). */
  locale: string;
  /** The file name inside it (`change-notice.md`, `locale.yaml`). */
  name: string;
  /** How to name the file to a person (the path as they gave it). */
  file: string;
  text: string;
}

export interface TemplateProblem {
  file: string;
  /** The front-matter field, `body`, a `locale.yaml` key, or `(file)`. */
  field: string;
  message: string;
  fix: string;
  /** Errors stop the check (and the stack's synth); warnings are shown and allowed. */
  severity: 'error' | 'warning';
}

export const formatTemplateProblem = (p: TemplateProblem): string => `${p.file}: ${p.field}: ${p.message}; fix: ${p.fix}`;

export interface NoticeTemplate {
  file: string;
  locale: string;
  kind: string;
  fields: Readonly<Record<TemplateField, ParsedTemplate>>;
}

export interface LocaleWords {
  file: string;
  /** Locale for Intl date and list formatting when the customer's own tag cannot be used (`en-GB`). */
  intl: string;
  effect: Readonly<Record<Effect, string>>;
  /** Stands in for the touchpoints when none is named ("the service"). */
  service: string;
  /** Stands in for a time nobody knows yet ("further notice"). */
  unknownTime: string;
  /** "+N more" at the end of a shortened list, by plural category (`other` always there); `{{count}}`. */
  more: Readonly<Partial<Record<Intl.LDMLPluralRule, ParsedTemplate>>> & { other: ParsedTemplate };
}

export interface LocaleTemplates {
  locale: string;
  words?: LocaleWords;
  notices: ReadonlyMap<string, NoticeTemplate>;
  /** Names of the files present, usable or not. */
  files: ReadonlySet<string>;
}

export interface TemplateSet {
  /** The folder as a person would name it (`templates`), to name files that are missing. */
  root: string;
  /** By lower-case locale tag. */
  locales: ReadonlyMap<string, LocaleTemplates>;
  /** What could not be parsed; the check adds what is missing or too long. */
  problems: readonly TemplateProblem[];
}

const error = (file: string, field: string, message: string, fix: string): TemplateProblem => ({ file, field, message, fix, severity: 'error' });

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

const yamlMapping = (file: string, source: string, problems: TemplateProblem[], what: string): Record<string, unknown> | undefined => {
  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors)
      problems.push(
        error(
          file,
          '(file)',
          `${what} is not valid YAML: ${e.message.split('\n')[0]}`,
          'quote values that contain ": " or start with "{{", e.g. subject: "Reminder: {{title}}"',
        ),
      );
    return undefined;
  }
  const value: unknown = doc.toJS();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  problems.push(error(file, '(file)', `${what} is not a mapping of field: value`, `write it as lines of field: "text"`));
  return undefined;
};

const parsedField = (file: string, field: string, source: string, problems: TemplateProblem[]): ParsedTemplate | undefined => {
  const parsed = parseTemplate(source);
  for (const p of parsed.problems) problems.push(error(file, field, p.message, p.fix));
  return parsed.problems.length > 0 ? undefined : parsed;
};

const parseNoticeTemplate = (f: TemplateFile, kind: string, problems: TemplateProblem[]): NoticeTemplate | undefined => {
  const text = f.text.replace(/^\uFEFF/, '');
  const match = FRONT_MATTER.exec(text);
  if (!match) {
    problems.push(
      error(
        f.file,
        '(file)',
        'has no front matter',
        'start the file with a --- line, then subject:, sms: and push:, then another --- line and the e-mail body',
      ),
    );
    return undefined;
  }
  const front = yamlMapping(f.file, match[1], problems, 'the front matter');
  if (!front) return undefined;
  const before = problems.length;
  const fields: Partial<Record<TemplateField, ParsedTemplate>> = {};
  for (const key of Object.keys(front)) {
    if (!(key in FRONT_MATTER_FIELDS))
      problems.push(error(f.file, key, 'is not a front-matter field', `remove it or rename it to one of ${Object.keys(FRONT_MATTER_FIELDS).join(', ')}`));
  }
  for (const [field, meaning] of Object.entries(FRONT_MATTER_FIELDS) as [FrontMatterField, string][]) {
    const value = front[field];
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(
        error(f.file, field, value === undefined ? 'is missing' : 'must be a non-empty text', `add ${field}: "…" to the front matter (${meaning})`),
      );
      continue;
    }
    const parsed = parsedField(f.file, field, value, problems);
    if (parsed) fields[field] = parsed;
  }
  const body = text.slice(match[0].length);
  if (body.trim() === '') problems.push(error(f.file, 'body', 'is empty', 'write the e-mail text below the closing --- line'));
  else {
    const parsed = parsedField(f.file, 'body', body, problems);
    if (parsed) fields.body = parsed;
  }
  return problems.length > before ? undefined : { file: f.file, locale: f.locale, kind, fields: fields as Record<TemplateField, ParsedTemplate> };
};

const PLURAL_CATEGORIES: readonly Intl.LDMLPluralRule[] = ['zero', 'one', 'two', 'few', 'many', 'other'];

const parseLocaleWords = (f: TemplateFile, problems: TemplateProblem[]): LocaleWords | undefined => {
  const doc = yamlMapping(f.file, f.text.replace(/^\uFEFF/, ''), problems, LOCALE_FILE);
  if (!doc) return undefined;
  const before = problems.length;
  const text = (key: string, value: unknown, fix: string): string => {
    if (typeof value === 'string' && value.trim() !== '') return value;
    problems.push(error(f.file, key, value === undefined ? 'is missing' : 'must be a non-empty text', fix));
    return '';
  };
  for (const key of Object.keys(doc)) {
    if (!['intl', 'effect', 'service', 'unknownTime', 'more'].includes(key))
      problems.push(error(f.file, key, 'is not a locale.yaml key', 'remove it or use intl, effect, service, unknownTime, more'));
  }
  const intl = doc.intl === undefined ? f.locale : text('intl', doc.intl, 'set intl: to a BCP 47 tag such as en-GB');
  try {
    if (Intl.DateTimeFormat.supportedLocalesOf(intl).length === 0)
      problems.push(error(f.file, 'intl', `"${intl}" has no date formats in this runtime`, 'use a tag such as en-GB, de-DE'));
  } catch {
    problems.push(error(f.file, 'intl', `"${intl}" is not a BCP 47 locale tag`, 'use a tag such as en-GB, de-DE'));
  }
  const effects = (doc.effect ?? {}) as Record<string, unknown>;
  const effect = Object.fromEntries(
    EFFECTS.map((e) => [e, text(`effect.${e}`, effects[e], `add effect: { ${e}: "…" }: how a touchpoint with this effect is, e.g. "unavailable"`)]),
  ) as Record<Effect, string>;
  const service = text('service', doc.service, 'add service: "…", the words for an unnamed service, e.g. "the service"');
  const unknownTime = text('unknownTime', doc.unknownTime, 'add unknownTime: "…", printed for a time nobody knows yet, e.g. "further notice"');
  const moreSource = typeof doc.more === 'string' ? { other: doc.more } : ((doc.more ?? {}) as Record<string, unknown>);
  const more: Partial<Record<Intl.LDMLPluralRule, ParsedTemplate>> = {};
  for (const [category, value] of Object.entries(moreSource)) {
    if (!PLURAL_CATEGORIES.includes(category as Intl.LDMLPluralRule)) {
      problems.push(error(f.file, `more.${category}`, 'is not a plural category', `use ${PLURAL_CATEGORIES.join(', ')}`));
      continue;
    }
    const parsed = parsedField(f.file, `more.${category}`, text(`more.${category}`, value, 'write the words for "N more", e.g. "{{count}} more"'), problems);
    if (parsed?.names.some((n) => n !== 'count')) problems.push(error(f.file, `more.${category}`, 'may only use {{count}}', 'write e.g. "{{count}} more"'));
    if (parsed) more[category as Intl.LDMLPluralRule] = parsed;
  }
  if (!more.other && !('other' in moreSource))
    problems.push(error(f.file, 'more', 'is missing', 'add more: "{{count}} more" (or one:/other: forms), shown when a list is shortened'));
  if (problems.length > before) return undefined;
  return { file: f.file, intl, effect, service, unknownTime, more: more as LocaleWords['more'] };
};

const canonicalLocale = (tag: string): string | undefined => {
  try {
    return Intl.getCanonicalLocales(tag.replace(/_/g, '-'))[0];
  } catch {
    return undefined;
  }
};

/** Parses the files of a templates folder (`root` only names it). Pure: the adapter reads, this decides. */
export const templateSetOf = (files: readonly TemplateFile[], root = 'templates'): TemplateSet => {
  const problems: TemplateProblem[] = [];
  const locales = new Map<string, LocaleTemplates & { notices: Map<string, NoticeTemplate>; files: Set<string> }>();
  for (const f of files) {
    const locale = canonicalLocale(f.locale);
    if (!locale) {
      problems.push(error(f.file, '(file)', `folder "${f.locale}" is not a BCP 47 locale tag`, 'name locale folders like en, nl, pt-BR'));
      continue;
    }
    const key = locale.toLowerCase();
    const entry = locales.get(key) ?? { locale, notices: new Map<string, NoticeTemplate>(), files: new Set<string>() };
    locales.set(key, entry);
    entry.files.add(f.name);
    if (f.name === LOCALE_FILE) entry.words = parseLocaleWords(f, problems);
    else if (f.name.endsWith('.md')) {
      const kind = f.name.slice(0, -'.md'.length);
      const template = parseNoticeTemplate(f, kind, problems);
      if (template) entry.notices.set(kind, template);
      else entry.notices.delete(kind);
    } else
      problems.push({
        file: f.file,
        field: '(file)',
        message: 'is neither a notice template nor locale.yaml and is ignored',
        fix: 'name templates <kind>.md, or move the file out of the locale folder',
        severity: 'warning',
      });
  }
  return { root, locales, problems };
};

/** How to name a file of the set to a person: `templates/en/change-notice.md`. */
export const templatePath = (set: Pick<TemplateSet, 'root'>, locale: string, name: string): string =>
  [set.root, locale, name].filter((s) => s !== '').join('/');

const chains = new Map<string, readonly string[]>();

/** `nl-NL` -> `nl-nl`, `nl`, then the fallback; the first locale the set has. */
export const localeChain = (requested: string | undefined): readonly string[] => {
  const known = chains.get(requested ?? '');
  if (known) return known;
  const tag = requested ? canonicalLocale(requested)?.toLowerCase() : undefined;
  const chain: string[] = [];
  if (tag) {
    const parts = tag.split('-');
    for (let n = parts.length; n > 0; n -= 1) chain.push(parts.slice(0, n).join('-'));
  }
  if (!chain.includes(FALLBACK_LOCALE)) chain.push(FALLBACK_LOCALE);
  if (chains.size >= 1_000) chains.clear();
  chains.set(requested ?? '', chain);
  return chain;
};

/** The locale folder a customer's tag resolves to (`nl-NL` -> `nl`; unknown -> `en`). */
export const resolveLocale = (set: TemplateSet, requested: string | undefined): string | undefined => {
  for (const key of localeChain(requested)) if (set.locales.has(key)) return set.locales.get(key)!.locale;
  return undefined;
};

/** The template for a kind in the customer's locale, or the nearest one that has it (English last). */
export const templateFor = (set: TemplateSet, kind: string, requested: string | undefined): { template: NoticeTemplate; words: LocaleWords } | undefined => {
  for (const key of localeChain(requested)) {
    const entry = set.locales.get(key);
    const template = entry?.notices.get(kind);
    if (template && entry?.words) return { template, words: entry.words };
  }
  return undefined;
};
