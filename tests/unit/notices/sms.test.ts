import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SMS_PART_SIZE, fitsSms, foldForSms, smsLength } from '../../../functions/domain/notices/sms.ts';

const a = (n: number) => 'a'.repeat(n);
// 'ą' is outside GSM-7 and inside the BMP: one UTF-16 unit that forces UCS-2.
const ą = (n: number) => 'ą'.repeat(n);

describe('SMS parts, GSM-7 (3GPP TS 23.038)', () => {
  it('160 characters fit one part, 161 need two; split parts hold 153 each', () => {
    expect(smsLength(a(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsLength(a(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsLength(a(306)).segments).toBe(2);
    expect(smsLength(a(307)).segments).toBe(3);
  });

  it('extension characters take two septets each: ^ { } \\ [ ~ ] | € and form feed', () => {
    for (const ch of ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f']) {
      expect(smsLength(ch), ch).toEqual({ encoding: 'GSM-7', units: 2, segments: 1 });
    }
    expect(smsLength(`${a(158)}€`).segments).toBe(1);
    expect(smsLength(`${a(159)}€`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
  });

  it('an escape and its character never straddle two parts, so a part may hold 152', () => {
    // 152 + 2 + 152 = 306 septets would fill two parts of 153, but '€' cannot be split after septet 153.
    expect(smsLength(`${a(152)}€${a(152)}`)).toEqual({ encoding: 'GSM-7', units: 306, segments: 3 });
    expect(smsLength(`${a(151)}€${a(153)}`)).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
  });

  it('accented letters of the GSM-7 alphabet (é, ü, ñ, à, Ç) keep GSM-7; others (ê, ç, á) do not', () => {
    expect(smsLength('éèùìòÄÖÑÜäöñüàßÇ¿¡£¥§').encoding).toBe('GSM-7');
    for (const ch of ['ê', 'ç', 'á', 'ó', 'ł', '’', '…']) expect(smsLength(`abc${ch}`).encoding, ch).toBe('UCS-2');
  });
});

describe('SMS parts, UCS-2', () => {
  it('one character outside GSM-7 makes the whole message UCS-2: 70 per part alone, 67 once split', () => {
    expect(smsLength(ą(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsLength(ą(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(smsLength(`${a(69)}ê`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsLength(ą(134)).segments).toBe(2);
    expect(smsLength(ą(135)).segments).toBe(3);
  });

  it('a character outside the BMP counts two units and its surrogate pair is never split', () => {
    expect(smsLength(`${ą(68)}😀`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsLength(`${ą(69)}😀`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(smsLength(`${ą(66)}😀${ą(66)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 3 });
    expect(smsLength(`${ą(65)}😀${ą(67)}`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 2 });
  });

  it('the part sizes are the 140-byte payloads: 160/153 septets, 70/67 units', () => {
    expect(SMS_PART_SIZE).toEqual({ 'GSM-7': { single: 160, split: 153 }, 'UCS-2': { single: 70, split: 67 } });
  });

  it('counts agree with a septet-by-septet packing for any text', () => {
    const gsmChar = fc.constantFrom('a', 'Z', ' ', '€', '^', 'é', '{');
    const anyChar = fc.oneof(gsmChar, fc.constantFrom('ą', 'ê', '😀', '日'));
    fc.assert(
      fc.property(fc.array(anyChar, { maxLength: 400 }), (chars) => {
        const text = chars.join('');
        const { encoding, units, segments } = smsLength(text);
        const gsm = chars.every((c) => 'aZ €^é{'.includes(c));
        expect(encoding).toBe(gsm ? 'GSM-7' : 'UCS-2');
        const widths = chars.map((c) => (gsm ? ('€^{'.includes(c) ? 2 : 1) : c.length));
        expect(units).toBe(widths.reduce((s, w) => s + w, 0));
        const size = SMS_PART_SIZE[encoding];
        // Reference: fill parts septet by septet, moving a pair that does not fit to the next part.
        const parts =
          units <= size.single
            ? 1
            : widths.reduce((acc, w) => (acc.used + w > size.split ? { n: acc.n + 1, used: w } : { n: acc.n, used: acc.used + w }), { n: 1, used: 0 }).n;
        expect(segments).toBe(parts);
        expect(fitsSms(text)).toBe(parts <= 2);
      }),
    );
  });
});

describe('folding typography into GSM-7', () => {
  it('curly quotes, dashes, ellipsis and odd spaces become their GSM-7 look-alikes; letters stay', () => {
    const folded = foldForSms('It’s “done” – 10\u202F%… «ok» ê');
    expect(folded).toBe('It\'s "done" - 10 %... "ok" ê');
    expect(smsLength(foldForSms('It’s “done” – 10\u00A0%…')).encoding).toBe('GSM-7');
  });
});
