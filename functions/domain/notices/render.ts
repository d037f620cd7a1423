/**
 * Renders a notice from the template set for every channel, each within its service's limits: the
 * e-mail (subject, plain text, HTML), the SMS (at most two parts) and the push notification. Values
 * are formatted for the customer: times in their zone and locale, lists with the locale's "and".
 *
 * A short form (SMS, push, subject) that is too long is shortened deterministically: first the
 * customer message goes, then the touchpoint lists end in "and N more", then the title is cut, and as
 * a last resort the text itself is cut. Cuts fall between grapheme clusters, so no surrogate pair, GSM
 * escape or emoji sequence is ever split.
 */
import { NOTIFY_CHANNELS, type Effect, type NotifyChannel } from '../model.ts';
import { EMAIL_SUBJECT_MAX, emailHtml, oneLine, plainText, type EmailContent } from './email.ts';
import { fitsSms, foldForSms, smsLength, type SmsEncoding } from './sms.ts';
import { renderTemplate, type ParsedTemplate, type TemplateValues } from './template-engine.ts';
import { FALLBACK_LOCALE, templateFor, type LocaleWords, type NoticeTemplate, type TemplateKind, type TemplateSet } from './template-set.ts';

export interface NoticeContext {
  subjectTitle: string;
  /** Affected touchpoints, by name, in the customer's words ("Check-in kiosks Schiphol"). */
  touchpoints: string[];
  effect: Effect;
  start?: number;
  end?: number;
  /** When service is expected back (incidents: `expectedResolutionAt`). */
  expectedResolutionAt?: number;
  /** After a failed change: what is still unavailable; the touchpoints when not given. */
  stillUnavailable?: string[];
  /** A failed change that was rolled back: everything works as before. */
  rolledBack?: boolean;
  timeZone?: string;
  customerMessage?: string;
}

export interface SmsContent {
  text: string;
  segments: number;
  encoding: SmsEncoding;
}

export interface PushContent {
  title: string;
  body: string;
}

export interface RenderedNotice {
  /** The locale of the template used (`nl` for a customer in `nl-BE`, `en` when there is none for theirs). */
  locale: string;
  /** The notice title (the e-mail subject), as in the SNS message contract. */
  title: string;
  /** The notice text (the e-mail's plain-text part), as in the SNS message contract. */
  text: string;
  email: EmailContent;
  sms: SmsContent;
  push: PushContent;
}

/**
 * Push limits, in code points. APNs and FCM allow 4 KB per payload; iOS shows about 178 characters of
 * a body on the lock screen and about 65 of a title. Even escaped as JSON `\uXXXX` pairs, 243 code
 * points stay under 3 KB, leaving room for the rest of the payload.
 */
export const PUSH_TITLE_MAX = 65;
export const PUSH_BODY_MAX = 178;

export type TemplateErrorCode = 'missing-template';

/** A notice that cannot be rendered because no locale, English included, has a template for its kind. */
export class TemplateError extends Error {
  readonly code: TemplateErrorCode;
  readonly kind: string;
  constructor(kind: string, options?: ErrorOptions) {
    super(`no template for notice kind "${kind}" in any locale, English included; add templates/${FALLBACK_LOCALE}/${kind}.md`, options);
    this.name = 'TemplateError';
    this.code = 'missing-template';
    this.kind = kind;
  }
}

const memo = <T>(make: (key: string) => T) => {
  const cache = new Map<string, T>();
  return (key: string): T => {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = make(key)));
    return value;
  };
};

// Intl objects are costly to build and rendering runs once per customer: keep one per locale and zone.
// A zone Intl does not know (a typo in customers.csv) still gets a correct time: in UTC, and saying so.
const dateFormat = memo((key): ((ms: number) => string) => {
  const [locale, timeZone] = key.split('|');
  try {
    const format = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    return (ms) => format.format(ms);
  } catch {
    const utc = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
    return (ms) => `${utc.format(ms)} UTC`;
  }
});
const listFormat = memo((locale) => new Intl.ListFormat(locale, { type: 'conjunction', style: 'long' }));
const pluralRules = memo((locale) => new Intl.PluralRules(locale));
const numberFormat = memo((locale) => new Intl.NumberFormat(locale));
const graphemes = memo((locale) => new Intl.Segmenter(locale, { granularity: 'grapheme' }));

// One job's customers share a subject's few times: format each once per locale and zone.
const times = new Map<string, string>();
const formattedTime = (zone: string, ms: number): string => {
  const key = `${zone}|${ms}`;
  let text = times.get(key);
  if (text === undefined) {
    if (times.size >= 10_000) times.clear();
    times.set(key, (text = plainSpaces(dateFormat(zone)(ms))));
  }
  return text;
};

/**
 * The customer's own tag when it names a region and speaks the template's language (an `en-US`
 * customer gets US dates); a bare language (`en`) or another language gets the locale's `intl`.
 */
const formattingLocale = memo((key) => {
  const [requested, templateLocale, fallback] = key.split('|');
  try {
    const tag = new Intl.Locale(requested.replace(/_/g, '-'));
    const sameLanguage = tag.language === new Intl.Locale(templateLocale).language;
    return sameLanguage && tag.region && Intl.DateTimeFormat.supportedLocalesOf(tag.baseName).length > 0 ? tag.baseName : fallback;
  } catch {
    return fallback;
  }
});

// Intl puts narrow no-break spaces in some times ("3:00 PM"): one would force a whole SMS into UCS-2.
const plainSpaces = (text: string) => text.replace(/[\u00A0\u2007\u2009\u202F]/g, ' ');

// Latin letters without combining marks are one grapheme per code unit: skip the (slow) segmenter.
const SIMPLE_GRAPHEMES = /^[\u0020-\u007E\u00A0-\u024F]*$/;
const graphemesOf = (text: string, locale: string): string[] =>
  SIMPLE_GRAPHEMES.test(text) ? text.split('') : Array.from(graphemes(locale).segment(text), (s) => s.segment);

/** Everything a template may say about one notice to one customer, formatted once. */
interface Phrasing {
  locale: string;
  words: LocaleWords;
  ctx: NoticeContext;
  times: { from?: string; to?: string; expectedResolution?: string };
  /** Formatted lists by list and limit, and the title's graphemes: shortening asks for them repeatedly. */
  lists: Map<string, string | undefined>;
  titleGraphemes?: string[];
}

interface Shortening {
  dropMessage?: boolean;
  /** Names kept in each list before "N more". */
  listLimit?: number;
  /** Graphemes kept of the title. */
  titleLength?: number;
}

const listOf = (p: Phrasing, which: 'touchpoints' | 'stillUnavailable', items: readonly string[], limit: number | undefined): string | undefined => {
  const key = `${which}|${limit}`;
  if (!p.lists.has(key)) p.lists.set(key, formatList(p, items, limit));
  return p.lists.get(key);
};

const formatList = (p: Phrasing, items: readonly string[], limit: number | undefined): string | undefined => {
  const names = items.map((i) => i.trim()).filter((i) => i !== '');
  if (names.length === 0) return undefined;
  if (limit === undefined || names.length <= limit) return listFormat(p.locale).format(names);
  const rest = names.length - limit;
  const more = p.words.more[pluralRules(p.locale).select(rest)] ?? p.words.more.other;
  return listFormat(p.locale).format([...names.slice(0, limit), renderTemplate(more.nodes, { count: numberFormat(p.locale).format(rest) })]);
};

const valuesOf = (p: Phrasing, s: Shortening, ellipsis: string): TemplateValues => {
  const { ctx } = p;
  let title = ctx.subjectTitle;
  if (s.titleLength !== undefined) {
    p.titleGraphemes ??= graphemesOf(title, p.locale);
    title = s.titleLength === 0 ? '' : `${p.titleGraphemes.slice(0, s.titleLength).join('').trimEnd()}${ellipsis}`;
  }
  return {
    title,
    touchpoints: listOf(p, 'touchpoints', ctx.touchpoints, s.listLimit),
    stillUnavailable: listOf(p, 'stillUnavailable', ctx.stillUnavailable ?? ctx.touchpoints, s.listLimit),
    effect: p.words.effect[ctx.effect],
    from: p.times.from,
    to: p.times.to,
    expectedResolution: p.times.expectedResolution,
    customerMessage: s.dropMessage ? undefined : ctx.customerMessage?.trim(),
    rolledBack: ctx.rolledBack ? 'yes' : undefined,
  };
};

const fallbacksOf = (words: LocaleWords): TemplateValues => ({
  touchpoints: words.service,
  stillUnavailable: words.service,
  from: words.unknownTime,
  to: words.unknownTime,
  expectedResolution: words.unknownTime,
});

const phrasingOf = (words: LocaleWords, template: NoticeTemplate, requested: string | undefined, ctx: NoticeContext): Phrasing => {
  const locale = requested ? formattingLocale(`${requested}|${template.locale}|${words.intl}`) : words.intl;
  const zone = `${locale}|${ctx.timeZone ?? 'UTC'}`;
  const time = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? undefined : formattedTime(zone, ms));
  return { locale, words, ctx, times: { from: time(ctx.start), to: time(ctx.end), expectedResolution: time(ctx.expectedResolutionAt) }, lists: new Map() };
};

const codePoints = (text: string) => {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
};
const withinCodePoints = (max: number) => (text: string) => text.length <= max || codePoints(text) <= max;

/**
 * The text for the largest n in [lo, hi] whose text fits, by bisection: keeping more (names in a list,
 * graphemes of a title or text) never makes a text shorter, nor turns UCS-2 back into GSM-7.
 */
const largest = (lo: number, hi: number, at: (n: number) => string, fits: (t: string) => boolean): string | undefined => {
  let found: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = at(mid);
    if (fits(candidate)) {
      found = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
};

/** The last resort: the longest prefix (whole graphemes) that fits with the ellipsis after it. */
const ellipsize = (text: string, fits: (t: string) => boolean, ellipsis: string, locale: string): string => {
  const parts = graphemesOf(text, locale);
  return largest(1, parts.length - 1, (n) => `${parts.slice(0, n).join('').trimEnd()}${ellipsis}`, fits) ?? (fits(ellipsis) ? ellipsis : '');
};

/**
 * Renders a one-line form, shortened step by step until `fits` holds. The customer message is what the
 * person in charge wants customers to know (often the point of an update), so it is dropped only when
 * a shorter touchpoint list ("and N more") and a shorter title do not make room for it.
 */
const shortForm = (p: Phrasing, form: ParsedTemplate, finish: (t: string) => string, fits: (t: string) => boolean, ellipsis: string): string => {
  const fallbacks = fallbacksOf(p.words);
  const render = (s: Shortening) => finish(oneLine(renderTemplate(form.nodes, valuesOf(p, s, ellipsis), fallbacks)));
  const longest = Math.max(p.ctx.touchpoints.length, p.ctx.stillUnavailable?.length ?? 0);
  const shorten = (base: Shortening): { text?: string; listLimit?: number } => {
    const whole = render(base);
    if (fits(whole)) return { text: whole };
    // A name kept adds more than "N more" loses (a name and a comma against one digit).
    const shorterList = largest(1, longest - 1, (k) => render({ ...base, listLimit: k }), fits);
    if (shorterList !== undefined) return { text: shorterList };
    // "A and 1 more" is no shorter than "A and B": keep whole lists when cutting them saves nothing.
    const listLimit = longest > 1 && render({ ...base, listLimit: 1 }).length < whole.length ? 1 : undefined;
    if (form.names.includes('title')) {
      p.titleGraphemes ??= graphemesOf(p.ctx.subjectTitle, p.locale);
      const shorterTitle = largest(0, p.titleGraphemes.length - 1, (n) => render({ ...base, listLimit, titleLength: n }), fits);
      if (shorterTitle !== undefined) return { text: shorterTitle };
    }
    return { listLimit };
  };
  const withMessage = p.ctx.customerMessage?.trim() ? shorten({}) : { listLimit: undefined };
  if (withMessage.text !== undefined) return withMessage.text;
  const withoutMessage = shorten({ dropMessage: true });
  if (withoutMessage.text !== undefined) return withoutMessage.text;
  return ellipsize(render({ dropMessage: true, listLimit: withoutMessage.listLimit, titleLength: 0 }), fits, ellipsis, p.locale);
};

const resolve = (set: TemplateSet, kind: TemplateKind, locale: string | undefined) => {
  const found = templateFor(set, kind, locale);
  if (!found) throw new TemplateError(kind);
  return found;
};

/** The notice for one customer on every channel. Pure: the template set is data. */
export const renderNoticeWith = (set: TemplateSet, kind: TemplateKind, locale: string | undefined, ctx: NoticeContext): RenderedNotice => {
  const { template, words } = resolve(set, kind, locale);
  const p = phrasingOf(words, template, locale, ctx);
  const { fields } = template;
  const same = (t: string) => t;
  const subject = shortForm(p, fields.subject, same, withinCodePoints(EMAIL_SUBJECT_MAX), '…');
  const text = plainText(renderTemplate(fields.body.nodes, valuesOf(p, {}, '…'), fallbacksOf(words)));
  const sms = shortForm(p, fields.sms, foldForSms, fitsSms, '...');
  const { segments, encoding } = smsLength(sms);
  return {
    locale: template.locale,
    title: subject,
    text,
    email: { subject, text, html: emailHtml(template.locale, subject, text) },
    sms: { text: sms, segments, encoding },
    push: {
      title: shortForm(p, fields.subject, same, withinCodePoints(PUSH_TITLE_MAX), '…'),
      body: shortForm(p, fields.push, same, withinCodePoints(PUSH_BODY_MAX), '…'),
    },
  };
};

/** A template's forms rendered as written, without shortening: what the check measures. */
export const renderUnshortened = (template: NoticeTemplate, words: LocaleWords, ctx: NoticeContext): { subject: string; sms: string; push: string } => {
  const p = phrasingOf(words, template, undefined, ctx);
  const line = (form: ParsedTemplate) => oneLine(renderTemplate(form.nodes, valuesOf(p, {}, '…'), fallbacksOf(words)));
  return { subject: line(template.fields.subject), sms: foldForSms(line(template.fields.sms)), push: line(template.fields.push) };
};

export type NoticePreview = { kind: TemplateKind; requestedLocale: string; locale: string; file: string } & (
  | ({ channel: 'email' } & EmailContent)
  | ({ channel: 'sms' } & SmsContent)
  | ({ channel: 'push' } & PushContent)
);

export interface PreviewRequest {
  kinds: readonly TemplateKind[];
  locales: readonly string[];
  channels?: readonly NotifyChannel[];
  ctx: NoticeContext;
}

/** Every text a customer could get, per kind, locale and channel: for previews in the CLI and the console. */
export const previewNotices = (set: TemplateSet, request: PreviewRequest): NoticePreview[] =>
  request.kinds.flatMap((kind) =>
    request.locales.flatMap((requestedLocale) => {
      const { template } = resolve(set, kind, requestedLocale);
      const notice = renderNoticeWith(set, kind, requestedLocale, request.ctx);
      const head = { kind, requestedLocale, locale: notice.locale, file: template.file };
      return (request.channels ?? NOTIFY_CHANNELS).map((channel): NoticePreview => {
        if (channel === 'email') return { ...head, channel, ...notice.email };
        if (channel === 'sms') return { ...head, channel, ...notice.sms };
        return { ...head, channel, ...notice.push };
      });
    }),
  );
