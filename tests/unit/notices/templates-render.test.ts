import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../functions/adapters/template-files.ts';
import {
  EMAIL_SUBJECT_MAX,
  PUSH_BODY_MAX,
  PUSH_TITLE_MAX,
  SAMPLE_CONTEXT,
  TEMPLATE_KINDS,
  TemplateError,
  previewNotices,
  renderNoticeWith,
  smsLength,
  templateSetOf,
  type NoticeContext,
  type TemplateFile,
} from '../../../functions/domain/notices/templates.ts';

const shipped = loadTemplates();
const START = Date.UTC(2026, 11, 5, 2); // 03:00 in Amsterdam, 21:00 the day before in New York
const END = Date.UTC(2026, 11, 5, 4);
const ctx = (over: Partial<NoticeContext> = {}): NoticeContext => ({
  subjectTitle: 'Payments maintenance',
  touchpoints: ['Website checkout'],
  effect: 'outage',
  start: START,
  end: END,
  timeZone: 'Europe/Amsterdam',
  ...over,
});
const cp = (s: string) => [...s].length;
/** No lone surrogate: nothing was cut inside a pair. */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** A one-locale set with simple forms, so each shortening step can be seen exactly. */
const simple = (forms: { sms?: string; push?: string; subject?: string; body?: string } = {}, lang = 'en') =>
  templateSetOf(
    [
      {
        locale: lang,
        name: 'locale.yaml',
        file: `${lang}/locale.yaml`,
        text: 'intl: en-GB\neffect: { outage: down, degraded: slow, none: fine }\nservice: the service\nunknownTime: further notice\nmore: "{{count}} more"\n',
      },
      ...TEMPLATE_KINDS.map(
        (kind): TemplateFile => ({
          locale: lang,
          name: `${kind}.md`,
          file: `${lang}/${kind}.md`,
          text: `---\nsubject: ${JSON.stringify(forms.subject ?? 'Notice: {{title}}')}\nsms: ${JSON.stringify(forms.sms ?? '{{title}}: {{touchpoints}} {{effect}}. {{customerMessage}}')}\npush: ${JSON.stringify(forms.push ?? '{{touchpoints}} {{effect}}')}\n---\n${forms.body ?? 'Until {{to}}, {{touchpoints}} is {{effect}}.{{#customerMessage}}\n\n{{customerMessage}}{{/customerMessage}}'}\n`,
        }),
      ),
    ],
    '',
  );

describe("rendering in the customer's language, zone and locale", () => {
  it('given a customer in nl-NL, then the Dutch template, times in their zone', () => {
    const n = renderNoticeWith(shipped, 'change-notice', 'nl-NL', ctx());
    expect(n.locale).toBe('nl');
    expect(n.title).toBe('Gepland onderhoud: Payments maintenance');
    expect(n.text).toContain('Van 5 dec 2026, 03:00 tot 5 dec 2026, 05:00 is het volgende niet beschikbaar: Website checkout.');
  });

  it('given German, French and Spanish customers, then their language with formal address and local dates', () => {
    const de = renderNoticeWith(shipped, 'incident-notice', 'de-DE', ctx({ expectedResolutionAt: END }));
    expect(de.locale).toBe('de');
    expect(de.title).toBe('Störung: Payments maintenance');
    expect(de.text).toContain(
      'Seit 05.12.2026, 03:00 ist Folgendes nicht verfügbar: Website checkout. Wir rechnen damit, die Störung bis 05.12.2026, 05:00 zu beheben.',
    );
    expect(de.text).toContain('Wir bitten um Entschuldigung.');
    const fr = renderNoticeWith(shipped, 'change-notice', 'fr-FR', ctx());
    expect(fr.text).toContain('du 5 déc. 2026, 03:00 au 5 déc. 2026, 05:00. Services concernés : Website checkout (hors service).');
    expect(fr.text).toContain('Nous vous prions');
    const es = renderNoticeWith(shipped, 'change-notice', 'es-ES', ctx());
    expect(es.text).toContain('del 5 dic 2026, 3:00 al 5 dic 2026, 5:00. Servicios afectados: Website checkout (sin servicio).');
    expect(es.text).toContain('Disculpe las molestias.');
  });

  it('given a customer in New York, then the same change in their zone', () => {
    expect(renderNoticeWith(shipped, 'change-notice', 'en-GB', ctx({ timeZone: 'America/New_York' })).text).toContain(
      'From 4 Dec 2026, 21:00 until 4 Dec 2026, 23:00',
    );
  });

  it('given en-US, then US dates; bare en, the English default (en-GB); an unknown zone, UTC said so', () => {
    expect(renderNoticeWith(shipped, 'change-notice', 'en-US', ctx()).text).toContain('From Dec 5, 2026, 3:00 AM until Dec 5, 2026, 5:00 AM');
    expect(renderNoticeWith(shipped, 'change-notice', 'en', ctx()).text).toContain('From 5 Dec 2026, 03:00 until 5 Dec 2026, 05:00');
    expect(renderNoticeWith(shipped, 'change-notice', 'en', ctx({ timeZone: 'Mars/Olympus' })).text).toContain('From 5 Dec 2026, 02:00 UTC');
  });

  it('given a locale we have no templates for, then English; given nl-BE, then Dutch with Belgian dates', () => {
    expect(renderNoticeWith(shipped, 'reminder', 'ja-JP', ctx()).locale).toBe('en');
    const be = renderNoticeWith(shipped, 'reminder', 'nl-BE', ctx());
    expect(be.locale).toBe('nl');
    expect(be.text).toContain('van 5 dec 2026, 03:00');
  });

  it("given a kind missing in the customer's locale, then the English template for that kind", () => {
    const files: TemplateFile[] = [
      ...[...simple().locales.get('en')!.notices.values()].map((t) => ({
        locale: 'en',
        name: `${t.kind}.md`,
        file: t.file,
        text: '---\nsubject: "EN {{title}}"\nsms: "x"\npush: "y"\n---\nEnglish body\n',
      })),
      {
        locale: 'en',
        name: 'locale.yaml',
        file: 'en/locale.yaml',
        text: 'effect: { outage: down, degraded: slow, none: fine }\nservice: s\nunknownTime: u\nmore: m\n',
      },
      {
        locale: 'nl',
        name: 'locale.yaml',
        file: 'nl/locale.yaml',
        text: 'effect: { outage: weg, degraded: traag, none: goed }\nservice: s\nunknownTime: u\nmore: m\n',
      },
      { locale: 'nl', name: 'reminder.md', file: 'nl/reminder.md', text: '---\nsubject: "NL {{title}}"\nsms: "x"\npush: "y"\n---\nNederlands\n' },
    ];
    const set = templateSetOf(files, '');
    expect(renderNoticeWith(set, 'reminder', 'nl-NL', ctx())).toMatchObject({ locale: 'nl', title: 'NL Payments maintenance' });
    expect(renderNoticeWith(set, 'change-notice', 'nl-NL', ctx())).toMatchObject({ locale: 'en', title: 'EN Payments maintenance' });
  });

  it('given a kind no locale has, then a TemplateError naming the file to add', () => {
    const set = templateSetOf([], '');
    expect(() => renderNoticeWith(set, 'reminder', 'en', ctx())).toThrow(TemplateError);
    expect(() => renderNoticeWith(set, 'reminder', 'en', ctx())).toThrow('add templates/en/reminder.md');
  });

  it('every kind in every shipped locale renders every channel with no placeholder or English word left over', () => {
    const englishWords = /\b(unavailable|further notice|the service)\b/;
    for (const lang of ['en', 'nl', 'de', 'fr', 'es']) {
      for (const kind of TEMPLATE_KINDS) {
        const n = renderNoticeWith(shipped, kind, lang, { ...SAMPLE_CONTEXT, effect: 'outage' });
        expect(n.locale, `${lang} ${kind}`).toBe(lang);
        const all = [n.title, n.text, n.sms.text, n.push.title, n.push.body].join('\n');
        expect(all, `${lang} ${kind}`).not.toMatch(/\{\{|\}\}/);
        if (lang !== 'en') expect(all.replace(SAMPLE_CONTEXT.customerMessage!, ''), `${lang} ${kind}`).not.toMatch(englishWords);
      }
    }
  });
});

describe('what the notices say (issue 15)', () => {
  it('given an incident with an expected restore time, then the notice says when; without one, it says nothing of it', () => {
    const at = Date.UTC(2026, 11, 5, 6);
    expect(renderNoticeWith(shipped, 'incident-notice', 'en', ctx({ expectedResolutionAt: at })).text).toContain(
      'We expect to have it fixed by 5 Dec 2026, 07:00.',
    );
    expect(renderNoticeWith(shipped, 'incident-notice', 'en', ctx()).text).not.toContain('We expect');
    expect(renderNoticeWith(shipped, 'incident-update', 'en', ctx({ expectedResolutionAt: at })).sms.text).toContain(
      'Expected to be fixed by 5 Dec 2026, 07:00.',
    );
  });

  it('given a failed change, then what is still unavailable and until when, or "until further notice"', () => {
    const failed = renderNoticeWith(
      shipped,
      'change-failed',
      'en',
      ctx({ touchpoints: ['Website checkout', 'Mobile app'], stillUnavailable: ['Mobile app'], expectedResolutionAt: Date.UTC(2026, 11, 5, 8) }),
    );
    expect(failed.title).toBe('Maintenance did not go as planned: Payments maintenance');
    expect(failed.text).toContain('For now, Mobile app will remain unavailable. We expect everything to work again by 5 Dec 2026, 09:00.');
    expect(failed.sms.text).toBe('The maintenance did not go as planned: Mobile app will remain unavailable until about 5 Dec 2026, 09:00.');
    const unknown = renderNoticeWith(shipped, 'change-failed', 'de', ctx());
    expect(unknown.text).toContain('Vorerst bleibt Folgendes nicht verfügbar: Website checkout. Wann wieder alles funktioniert, können wir noch nicht sagen.');
    expect(unknown.sms.text).toContain('(nicht verfügbar) bis auf Weiteres.');
  });

  it("given no touchpoint names, then the locale's word for the service", () => {
    expect(renderNoticeWith(shipped, 'change-notice', 'en', ctx({ touchpoints: [] })).text).toContain('the service will be unavailable');
    expect(renderNoticeWith(shipped, 'change-notice', 'es', ctx({ touchpoints: [] })).text).toContain('Servicios afectados: el servicio (sin servicio).');
  });

  it("given several touchpoints, then a list in the locale's words", () => {
    const tps = ['Website checkout', 'Mobile app', 'Kiosks'];
    expect(renderNoticeWith(shipped, 'change-notice', 'en', ctx({ touchpoints: tps })).text).toContain('Website checkout, Mobile app and Kiosks will be');
    expect(renderNoticeWith(shipped, 'change-notice', 'de', ctx({ touchpoints: tps })).text).toContain('Website checkout, Mobile app und Kiosks.');
  });
});

describe('the e-mail', () => {
  const hostile = '<script>alert("x")</script> & <b onmouseover=\'y\'>';
  it('given customer-provided text with markup, then the HTML part shows it as text: nothing becomes markup', () => {
    const { email } = renderNoticeWith(shipped, 'change-notice', 'en', ctx({ subjectTitle: `Title <img src=x>`, customerMessage: hostile }));
    expect(email.text).toContain(hostile);
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('<b ');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b onmouseover=&#39;y&#39;&gt;');
    expect(email.html).toContain('<title>Planned maintenance: Title &lt;img src=x&gt;</title>');
  });

  it('has a lang attribute, the subject as heading, paragraphs at blank lines and line breaks kept', () => {
    const { email } = renderNoticeWith(shipped, 'change-notice', 'fr-FR', ctx({ customerMessage: 'Ligne 1\nLigne 2' }));
    expect(email.html).toMatch(/^<!doctype html>\n<html lang="fr" dir="ltr">/);
    expect(email.html).toContain('<h1 style="font-size:20px;line-height:1.3;margin:0 0 16px">Maintenance programmée : Payments maintenance</h1>');
    expect(email.html).toContain('Ligne 1<br>Ligne 2');
    expect(email.html.match(/<p /g)).toHaveLength(2);
    const lists = renderNoticeWith(simple({ body: 'Affected:\n\n- {{touchpoints}}\n- Kiosks' }), 'reminder', 'en', ctx());
    expect(lists.email.html).toContain('<ul style="margin:0 0 16px;padding-left:24px"><li>Website checkout</li><li>Kiosks</li></ul>');
  });

  it('given a right-to-left locale folder, then dir="rtl"', () => {
    expect(renderNoticeWith(simple({}, 'ar'), 'reminder', 'ar-EG', ctx()).email.html).toContain('<html lang="ar" dir="rtl">');
  });

  it('given a title with line breaks and a huge length, then the subject is one line within the limit', () => {
    const { email, title } = renderNoticeWith(shipped, 'change-notice', 'en', ctx({ subjectTitle: `Line one\r\nline\ttwo ${'x'.repeat(400)}` }));
    expect(email.subject).toBe(title);
    expect(email.subject).toMatch(/^Planned maintenance: Line one line two x+…$/);
    expect(cp(email.subject)).toBe(EMAIL_SUBJECT_MAX);
  });
});

describe('the SMS: at most two parts, shortened step by step', () => {
  const fifty = 'x'.repeat(50);
  it('given values that fit, then the form as written', () => {
    const n = renderNoticeWith(simple(), 'reminder', 'en', ctx({ customerMessage: 'Use the app.' }));
    expect(n.sms).toEqual({ text: 'Payments maintenance: Website checkout down. Use the app.', segments: 1, encoding: 'GSM-7' });
  });

  it('first the customer message goes', () => {
    const n = renderNoticeWith(simple(), 'reminder', 'en', ctx({ customerMessage: `Use the app. ${fifty.repeat(6)}` }));
    expect(n.sms.text).toBe('Payments maintenance: Website checkout down.');
    expect(n.email.text).toContain(fifty.repeat(6));
  });

  it('then the touchpoint list keeps as many names as fit and says how many more', () => {
    const names = Array.from({ length: 40 }, (_, i) => `Touchpoint ${String(i + 1).padStart(2, '0')}`); // 13 characters each
    const n = renderNoticeWith(simple(), 'reminder', 'en', ctx({ touchpoints: names }));
    const kept = n.sms.text.match(/Touchpoint \d\d/g)!;
    // "Payments maintenance: " (22) + k names joined by ", " + " and N more" + " down." must stay within 306 septets.
    const length = (k: number) => 22 + k * 13 + (k - 1) * 2 + ` and ${40 - k} more`.length + ' down.'.length;
    expect(length(kept.length)).toBeLessThanOrEqual(306);
    expect(length(kept.length + 1)).toBeGreaterThan(306);
    expect(n.sms.text.endsWith(`Touchpoint ${String(kept.length).padStart(2, '0')} and ${40 - kept.length} more down.`)).toBe(true);
    expect(n.sms.segments).toBe(2);
  });

  it('then the title is cut (at a grapheme, never inside a pair), then the text itself', () => {
    const title = `Zahlungssystem ${'😀'.repeat(200)}`;
    const n = renderNoticeWith(simple(), 'reminder', 'en', ctx({ subjectTitle: title, touchpoints: ['A', 'B'] }));
    expect(n.sms.encoding).toBe('UCS-2');
    expect(n.sms.segments).toBe(2);
    expect(n.sms.text).toMatch(/^Zahlungssystem (😀)+\.\.\.: A and B down\.$/);
    expect(wellFormed(n.sms.text)).toBe(true);
    const cut = renderNoticeWith(simple({ sms: `${'Ä'.repeat(400)} {{title}}` }), 'reminder', 'en', ctx());
    expect(cut.sms.text).toMatch(/^Ä+\.\.\.$/);
    expect(smsLength(cut.sms.text)).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
  });

  it('typographic punctuation is folded so that it does not force UCS-2', () => {
    const n = renderNoticeWith(simple(), 'reminder', 'en', ctx({ subjectTitle: 'Payments’ “big” upgrade – phase 2…' }));
    expect(n.sms).toMatchObject({ text: 'Payments\' "big" upgrade - phase 2...: Website checkout down.', encoding: 'GSM-7' });
    expect(n.title).toBe('Notice: Payments’ “big” upgrade – phase 2…');
  });

  it('shipped SMS texts stay in GSM-7 for GSM-7 values, in every locale', () => {
    for (const lang of ['en', 'nl', 'de', 'fr', 'es']) {
      for (const kind of TEMPLATE_KINDS) expect(renderNoticeWith(shipped, kind, lang, SAMPLE_CONTEXT).sms.encoding, `${lang} ${kind}`).toBe('GSM-7');
    }
  });
});

describe('every channel within its limits, whatever the values (property)', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.constantFrom('€^{}[]|~\\'.repeat(40), '<b>&"\'</b>'),
  );
  const context = fc.record({
    subjectTitle: text,
    touchpoints: fc.array(text, { maxLength: 30 }),
    effect: fc.constantFrom('outage' as const, 'degraded' as const, 'none' as const),
    start: fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined }),
    end: fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined }),
    expectedResolutionAt: fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined }),
    stillUnavailable: fc.option(fc.array(text, { maxLength: 10 }), { nil: undefined }),
    timeZone: fc.constantFrom('Europe/Amsterdam', 'America/New_York', 'Asia/Kolkata', undefined),
    customerMessage: fc.option(text, { nil: undefined }),
  });
  const tag = /<\/?(?:!doctype|html|head|meta|title|body|main|h1|p|br|ul|li)(?: [^<>]*)?>/g;

  it('SMS <= 2 parts and well formed, push <= 178/65, subject one line <= 150, no markup from values', () => {
    fc.assert(
      fc.property(context, fc.constantFrom(...TEMPLATE_KINDS), fc.constantFrom('en', 'nl-NL', 'de-AT', 'fr', 'es-MX', 'ja'), (c, kind, locale) => {
        const n = renderNoticeWith(shipped, kind, locale, c);
        expect(smsLength(n.sms.text).segments).toBeLessThanOrEqual(2);
        expect(n.sms.segments).toBe(smsLength(n.sms.text).segments);
        for (const s of [n.sms.text, n.push.title, n.push.body, n.email.subject]) expect(wellFormed(s)).toBe(true);
        expect(cp(n.push.body)).toBeLessThanOrEqual(PUSH_BODY_MAX);
        expect(cp(n.push.title)).toBeLessThanOrEqual(PUSH_TITLE_MAX);
        expect(cp(n.email.subject)).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
        expect(n.email.subject).not.toMatch(/[\r\n]/);
        expect(n.email.html.replace(tag, '')).not.toContain('<');
      }),
      { numRuns: 300 },
    );
  });
});

describe('previews', () => {
  it('list each rendered text per kind, locale and channel, with the template used', () => {
    const previews = previewNotices(shipped, { kinds: ['change-notice', 'change-failed'], locales: ['de-CH', 'ja'], channels: ['sms', 'email'], ctx: ctx() });
    expect(previews.map((p) => [p.kind, p.requestedLocale, p.locale, p.channel, p.file])).toEqual([
      ['change-notice', 'de-CH', 'de', 'sms', 'templates/de/change-notice.md'],
      ['change-notice', 'de-CH', 'de', 'email', 'templates/de/change-notice.md'],
      ['change-notice', 'ja', 'en', 'sms', 'templates/en/change-notice.md'],
      ['change-notice', 'ja', 'en', 'email', 'templates/en/change-notice.md'],
      ['change-failed', 'de-CH', 'de', 'sms', 'templates/de/change-failed.md'],
      ['change-failed', 'de-CH', 'de', 'email', 'templates/de/change-failed.md'],
      ['change-failed', 'ja', 'en', 'sms', 'templates/en/change-failed.md'],
      ['change-failed', 'ja', 'en', 'email', 'templates/en/change-failed.md'],
    ]);
    expect(previews[0]).toMatchObject({
      channel: 'sms',
      encoding: 'GSM-7',
      segments: 1,
      text: expect.stringContaining('Geplante Wartung vom 05.12.2026, 03:00 bis 05.12.2026, 05:00'),
    });
    expect(previews[1]).toMatchObject({
      channel: 'email',
      subject: 'Geplante Wartungsarbeiten: Payments maintenance',
      html: expect.stringContaining('<html lang="de"'),
    });
  });
});
