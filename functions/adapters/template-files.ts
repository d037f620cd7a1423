/**
 * Reads the notice templates folder (`<dir>/<locale>/<kind>.md` and `<dir>/<locale>/locale.yaml`) into
 * the pure template set. Where: `IMPACT_TEMPLATES_DIR` when set (a Lambda bundle ships the folder next
 * to its code and sets it, see docs/decisions.md "Templates"), else `templates/` at the project root,
 * found relative to this module so that any working directory works. Synchronous on purpose: about
 * sixty small files, read once per process before the first notice is rendered.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTemplates, templateErrors } from '../domain/notices/template-check.ts';
import { formatTemplateProblem, templateSetOf, type TemplateFile, type TemplateProblem, type TemplateSet } from '../domain/notices/template-set.ts';

export const TEMPLATES_DIR_ENV = 'IMPACT_TEMPLATES_DIR' as const;
export const DEFAULT_TEMPLATES_DIR = process.env[TEMPLATES_DIR_ENV] || fileURLToPath(new URL('../../templates/', import.meta.url));

export type TemplateFilesErrorCode = 'unreadable' | 'invalid';

/** The templates folder cannot be read, or what it holds cannot be used (every problem listed). */
export class TemplateFilesError extends Error {
  readonly code: TemplateFilesErrorCode;
  readonly problems: readonly TemplateProblem[];
  constructor(code: TemplateFilesErrorCode, message: string, problems: readonly TemplateProblem[] = [], options?: ErrorOptions) {
    super(problems.length > 0 ? `${message}\n${problems.map((p) => `  ${formatTemplateProblem(p)}`).join('\n')}` : message, options);
    this.name = 'TemplateFilesError';
    this.code = code;
    this.problems = problems;
  }
}

/** Every file of every locale folder; `display` names the folder in messages (the path as the user gave it). */
export const readTemplateFiles = (dir: string, display = dir): TemplateFile[] => {
  let locales: string[];
  try {
    locales = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new TemplateFilesError('unreadable', `cannot read the templates folder ${display}: ${code}; check the path, or set ${TEMPLATES_DIR_ENV}`, [], {
      cause: error,
    });
  }
  return locales.flatMap((locale) =>
    readdirSync(join(dir, locale), { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort()
      .map((name) => ({ locale, name, file: [display.replace(/\/+$/, ''), locale, name].join('/'), text: readFileSync(join(dir, locale, name), 'utf8') })),
  );
};

/** Reads and parses a templates folder; the project's own is named `templates` (from the project root). */
export const loadTemplates = (
  dir: string = DEFAULT_TEMPLATES_DIR,
  display = dir === DEFAULT_TEMPLATES_DIR && !process.env[TEMPLATES_DIR_ENV] ? 'templates' : dir,
): TemplateSet => templateSetOf(readTemplateFiles(dir, display), display.replace(/\/+$/, ''));

let loaded: TemplateSet | undefined;

/** The pipeline's templates, read and checked once; a set with errors is refused rather than half used. */
export const defaultTemplates = (): TemplateSet => {
  if (loaded) return loaded;
  const set = loadTemplates();
  const errors = templateErrors(checkTemplates(set));
  if (errors.length > 0)
    throw new TemplateFilesError('invalid', `the templates in ${DEFAULT_TEMPLATES_DIR} have ${errors.length} problem(s); run impact templates check`, errors);
  return (loaded = set);
};
