/**
 * Customer notice texts: templates as files per kind and locale (templates/<locale>/<kind>.md), rendered
 * per channel within each service's limits. The pure parts live beside this module (template-engine,
 * template-set, template-check, render, sms, email) and take the template set as data.
 *
 * `renderNotice` and `localeOf` keep their original signatures for today's callers and read the
 * pipeline's own templates through the file adapter: the one place where the domain reaches an
 * adapter, until handlers load the set themselves (at init) and call `renderNoticeWith`
 * (docs/decisions.md).
 */
import { defaultTemplates } from '../../adapters/template-files.ts';
import type { NoticeKind } from './kinds.ts';
import { renderNoticeWith, type NoticeContext, type RenderedNotice } from './render.ts';
import { FALLBACK_LOCALE, resolveLocale } from './template-set.ts';

export { EMAIL_SUBJECT_MAX, emailHtml, escapeHtml, type EmailContent } from './email.ts';
export { MAX_SMS_SEGMENTS, SMS_PART_SIZE, foldForSms, smsLength, type SmsEncoding, type SmsLength } from './sms.ts';
export { parseTemplate, renderTemplate, type ParsedTemplate, type TemplateValues } from './template-engine.ts';
export {
  FALLBACK_LOCALE,
  PLACEHOLDERS,
  TEMPLATE_KINDS,
  formatTemplateProblem,
  resolveLocale,
  templateFor,
  templateSetOf,
  type TemplateFile,
  type TemplateKind,
  type TemplateProblem,
  type TemplateSet,
} from './template-set.ts';
export { SAMPLE_CONTEXT, checkTemplates, templateErrors } from './template-check.ts';
export {
  PUSH_BODY_MAX,
  PUSH_TITLE_MAX,
  TemplateError,
  previewNotices,
  renderNoticeWith,
  type NoticeContext,
  type NoticePreview,
  type PreviewRequest,
  type PushContent,
  type RenderedNotice,
  type SmsContent,
} from './render.ts';

// Handlers import this module at init (Lambda's init phase, the local runtime's start): read the
// templates then rather than on the first customer's notice. A folder that is missing or has errors
// is not an import error (a function that renders nothing may not ship it): the first notice reports it.
try {
  defaultTemplates();
} catch {
  // thrown again, with every problem, by the first renderNotice
}

/** The notice in the customer's locale (nl-NL -> nl -> en) from the pipeline's own templates. */
export const renderNotice = (kind: NoticeKind, locale: string | undefined, ctx: NoticeContext): RenderedNotice =>
  renderNoticeWith(defaultTemplates(), kind, locale, ctx);

/** The template locale a customer's tag resolves to in the pipeline's own templates. */
export const localeOf = (locale: string | undefined): string => resolveLocale(defaultTemplates(), locale) ?? FALLBACK_LOCALE;
