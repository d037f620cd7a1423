/**
 * SMS length as carriers count it (3GPP TS 23.038 / 23.040). A part carries 140 bytes: 160 GSM-7
 * septets, or 70 UCS-2 units. A split message spends 6 bytes per part on the concatenation header,
 * leaving 153 septets or 67 units. One character outside the GSM-7 alphabet turns the whole message
 * into UCS-2; a GSM-7 extension character (escape + char) takes two septets and a character outside
 * the BMP two UTF-16 units, and neither pair is ever split between parts, so a part may hold one less.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** Characters per part: alone in one part, and per part once split. */
export const SMS_PART_SIZE: Readonly<Record<SmsEncoding, { single: number; split: number }>> = {
  'GSM-7': { single: 160, split: 153 },
  'UCS-2': { single: 70, split: 67 },
};

/** Every SMS we send stays within two parts (issue 14): cost and throughput are counted in parts. */
export const MAX_SMS_SEGMENTS = 2;

// The GSM 03.38 default alphabet (ESC excluded) and its extension table.
const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

export interface SmsLength {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 units (UCS-2). */
  units: number;
  segments: number;
}

const gsmWidths = (text: string): number[] | undefined => {
  const widths: number[] = [];
  for (const ch of text) {
    if (GSM_BASIC.has(ch)) widths.push(1);
    else if (GSM_EXTENSION.has(ch)) widths.push(2);
    else return undefined;
  }
  return widths;
};

export const smsLength = (text: string): SmsLength => {
  const gsm = gsmWidths(text);
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  const widths = gsm ?? Array.from(text, (ch) => ch.length);
  const units = widths.reduce((a, b) => a + b, 0);
  const size = SMS_PART_SIZE[encoding];
  if (units <= size.single) return { encoding, units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > size.split) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return { encoding, units, segments };
};

// Typographic punctuation with a GSM-7 look-alike: one curly quote must not halve the room for text.
const GSM_LOOKALIKE: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u00B4': "'",
  '\u0060': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u201F': '"',
  '\u2033': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00A0': ' ',
  '\u2007': ' ',
  '\u2009': ' ',
  '\u202F': ' ',
  '\t': ' ',
};
const LOOKALIKE = new RegExp(`[${Object.keys(GSM_LOOKALIKE).join('')}]`, 'g');

/** Replaces typographic punctuation and odd spaces by their GSM-7 equivalents; letters are left alone. */
export const foldForSms = (text: string): string => text.replace(LOOKALIKE, (ch) => GSM_LOOKALIKE[ch]);

export const fitsSms = (text: string): boolean => smsLength(text).segments <= MAX_SMS_SEGMENTS;
