/**
 * Customer notice texts: templates as files per kind and locale (templates/<locale>/<kind>.md), rendered
 * per channel within each service's limits. The parts live beside this module (template-engine,
 * template-set, template-check, render, sms, email) and take the template set as data: the handlers
 * that render (notify, api) load the set at init through functions/adapters/template-files.ts and pass
 * it in (Dependencies.templates); the CLI loads it itself.
 */

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
