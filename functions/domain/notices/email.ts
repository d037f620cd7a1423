/**
 * The e-mail form of a notice: a one-line subject, the plain-text part as the template wrote it, and an
 * HTML part derived from that text. Every character of the text is escaped before any markup is added,
 * so nothing a change manager or producer typed (a title, a customer message) can become markup.
 */

/**
 * Subject length in code points. SES sets no subject limit of its own (only 40 MB per message), and
 * RFC 5322 allows 998 characters per header line: 150 code points stay under it even as one unfolded
 * UTF-8 encoded word (4 bytes each, base64: 800 characters plus `Subject: =?UTF-8?B?…?=`).
 */
export const EMAIL_SUBJECT_MAX = 150;

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

// Control characters other than line breaks carry nothing a reader needs and confuse mail clients.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/g;

/** One line: every run of white space (line breaks included) and control characters becomes one space. */
export const oneLine = (text: string): string => text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();

/** Plain text as a mail client shows it: LF line ends, no trailing blanks, at most one empty line in a row. */
export const plainText = (text: string): string =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);

const RTL_SCRIPTS = new Set(['Arab', 'Hebr', 'Syrc', 'Thaa', 'Nkoo', 'Adlm', 'Rohg', 'Mand', 'Samr']);
const directions = new Map<string, 'rtl' | 'ltr'>();
const directionOf = (lang: string): 'rtl' | 'ltr' => {
  let dir = directions.get(lang);
  if (!dir) {
    try {
      dir = RTL_SCRIPTS.has(new Intl.Locale(lang).maximize().script ?? '') ? 'rtl' : 'ltr';
    } catch {
      dir = 'ltr';
    }
    directions.set(lang, dir);
  }
  return dir;
};

const LIST_ITEM = /^[-*] /;
const block = (paragraph: string): string => {
  const lines = paragraph.split('\n');
  if (lines.every((l) => LIST_ITEM.test(l)))
    return `<ul style="margin:0 0 16px;padding-left:24px">${lines.map((l) => `<li>${escapeHtml(l.slice(2))}</li>`).join('')}</ul>`;
  return `<p style="margin:0 0 16px">${lines.map(escapeHtml).join('<br>')}</p>`;
};

/**
 * The HTML part: paragraphs at blank lines, line breaks kept, a paragraph of `- ` lines as a list; the
 * subject as the page title and heading; `lang` (and `dir` for right-to-left scripts) so that screen
 * readers pick the right voice; inline styles only, as mail clients drop style sheets.
 */
export const emailHtml = (lang: string, subject: string, text: string): string => {
  const title = escapeHtml(subject);
  const body =
    text === ''
      ? ''
      : text
          .split(/\n{2,}/)
          .map(block)
          .join('\n');
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(lang)}" dir="${directionOf(lang)}">`,
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>`,
    '<body style="margin:0;padding:24px;background:#ffffff;color:#1a1a1a;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5">',
    '<main style="max-width:600px;margin:0 auto">',
    `<h1 style="font-size:20px;line-height:1.3;margin:0 0 16px">${title}</h1>`,
    body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
};
