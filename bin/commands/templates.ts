import { Option, type Command } from 'commander';
import { TemplateFilesError, loadTemplates } from '../../functions/adapters/template-files.ts';
import { EFFECTS, NOTIFY_CHANNELS, type Effect, type NotifyChannel } from '../../functions/domain/model.ts';
// The pure modules, not the templates.ts facade: that one reads the pipeline's templates on import.
import { previewNotices, type NoticeContext, type NoticePreview } from '../../functions/domain/notices/render.ts';
import { SAMPLE_CONTEXT, checkTemplates, templateErrors } from '../../functions/domain/notices/template-check.ts';
import { TEMPLATE_KINDS, formatTemplateProblem, type TemplateKind, type TemplateSet } from '../../functions/domain/notices/template-set.ts';
import { CliInputError } from './cli-errors.ts';

const DIR_HELP = "templates folder (<locale>/<kind>.md and <locale>/locale.yaml); default: the pipeline's own templates/";

const load = (dir: string | undefined): TemplateSet => {
  try {
    return dir === undefined ? loadTemplates() : loadTemplates(dir, dir);
  } catch (error) {
    if (error instanceof TemplateFilesError) throw new CliInputError([error.message]);
    throw error;
  }
};

const warn = (lines: string[]) => {
  for (const line of lines) process.stderr.write(`warning: ${line}\n`);
};

/** The templates to preview with (the pipeline's own unless `dir`); errors are a warning: broken ones fall back to English. */
export const templatesForPreview = (dir?: string): TemplateSet => {
  const set = load(dir);
  const errors = templateErrors(checkTemplates(set));
  if (errors.length > 0) warn([`the templates have ${errors.length} problem(s), broken ones fall back to English; run impact templates check`]);
  return set;
};

const check = (opts: { dir?: string }) => {
  const set = load(opts.dir);
  const problems = checkTemplates(set);
  const errors = templateErrors(problems);
  if (errors.length > 0) throw new CliInputError(errors.map(formatTemplateProblem));
  const warnings = problems.filter((p) => p.severity === 'warning');
  warn(warnings.map(formatTemplateProblem));
  const locales = [...set.locales.values()].map((l) => l.locale).sort();
  const files = [...set.locales.values()].reduce((n, l) => n + l.notices.size, 0);
  process.stdout.write(
    `valid: ${files} templates in ${locales.length} locales (${locales.join(', ')}) for ${TEMPLATE_KINDS.length} kinds` +
      `${warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''}\n`,
  );
};

interface PreviewOptions {
  kind: TemplateKind;
  locale: string;
  channel?: NotifyChannel;
  dir?: string;
  format: 'text' | 'json';
  title?: string;
  touchpoint?: string[];
  message?: string;
  effect?: Effect;
  timeZone?: string;
}

/** The problem with a `--locale` value, if it is not a locale tag. */
export const localeProblem = (locale: string): string | undefined => {
  try {
    Intl.getCanonicalLocales(locale);
    return undefined;
  } catch {
    return `--locale "${locale}" is not a BCP 47 locale tag; use e.g. en-GB, nl-NL, de`;
  }
};

const contextOf = (opts: PreviewOptions): NoticeContext => {
  const problems: string[] = [];
  const badLocale = localeProblem(opts.locale);
  if (badLocale) problems.push(badLocale);
  if (opts.timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: opts.timeZone });
    } catch {
      problems.push(`--time-zone "${opts.timeZone}" is not an IANA time zone; use e.g. Europe/Amsterdam`);
    }
  }
  if (problems.length > 0) throw new CliInputError(problems);
  return {
    ...SAMPLE_CONTEXT,
    ...(opts.title !== undefined ? { subjectTitle: opts.title } : {}),
    ...(opts.touchpoint ? { touchpoints: opts.touchpoint, stillUnavailable: opts.touchpoint.slice(-1) } : {}),
    ...(opts.message !== undefined ? { customerMessage: opts.message } : {}),
    ...(opts.effect ? { effect: opts.effect } : {}),
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
  };
};

const indent = (text: string) => text.replace(/^/gm, '    ');

/** One channel's text of a preview, for people. */
export const describePreview = (p: NoticePreview): string => {
  if (p.channel === 'email')
    return `email\n  subject: ${p.subject}\n  text:\n${indent(p.text)}\n  html: ${p.html.length} characters (--format json shows it)\n`;
  if (p.channel === 'sms')
    return `sms (${p.encoding}, ${p.segments} part${p.segments === 1 ? '' : 's'}, ${[...p.text].length} characters)\n${indent(p.text)}\n`;
  return `push\n  title: ${p.title}\n  body: ${p.body}\n`;
};

const preview = (opts: PreviewOptions) => {
  const ctx = contextOf(opts);
  const set = templatesForPreview(opts.dir);
  const previews = previewNotices(set, { kinds: [opts.kind], locales: [opts.locale], channels: opts.channel ? [opts.channel] : NOTIFY_CHANNELS, ctx });
  if (opts.format === 'json') {
    process.stdout.write(`${JSON.stringify(previews, null, 2)}\n`);
    return;
  }
  const [first] = previews;
  const asked = first.requestedLocale === first.locale ? '' : ` (asked for ${first.requestedLocale})`;
  process.stdout.write(`${first.kind} in ${first.locale}${asked}, from ${first.file}\n\n${previews.map(describePreview).join('\n')}`);
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const register = (program: Command): void => {
  const group = program.command('templates').description('customer notice texts: one file per kind and locale');
  group
    .command('check')
    .description('check every template: placeholders, front matter, English for every kind, SMS within 2 parts (exit 2 on any problem)')
    .option('--dir <dir>', DIR_HELP)
    .action(check);
  group
    .command('preview')
    .description('show what a customer would get, per channel, with long sample values (or your own)')
    .addOption(new Option('--kind <kind>', 'notice kind').choices(TEMPLATE_KINDS).makeOptionMandatory())
    .requiredOption('--locale <locale>', "the customer's locale, e.g. nl-NL (falls back to the language, then English)")
    .addOption(new Option('--channel <channel>', 'only this channel').choices(NOTIFY_CHANNELS))
    .option('--dir <dir>', DIR_HELP)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--title <title>', 'subject title instead of the sample')
    .option('--touchpoint <name>', 'touchpoint name instead of the samples; repeat for several', collect)
    .option('--message <text>', 'customer message instead of the sample')
    .addOption(new Option('--effect <effect>', 'effect instead of the sample').choices(EFFECTS))
    .option('--time-zone <zone>', "customer's IANA time zone instead of Europe/Amsterdam")
    .addHelpText('after', '\nExample:\n  impact templates preview --kind change-notice --locale de-DE --channel sms')
    .action(preview);
};
