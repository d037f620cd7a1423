/** Customer notice texts per kind, in English and Dutch (locale fallback: nl-* -> nl, else en). */
import type { Effect } from '../model.ts';
import type { NoticeKind } from './kinds.ts';

export interface NoticeContext {
  subjectTitle: string;
  /** Affected touchpoints, by name, in the customer's words ("Check-in kiosks Schiphol"). */
  touchpoints: string[];
  effect: Effect;
  start?: number;
  end?: number;
  timeZone?: string;
  customerMessage?: string;
  /** When the service is expected back (incidents, failed changes), epoch ms; absent = not known. */
  expectedResolutionAt?: number;
  /** change-failed: the touchpoints still hit, by name (none after a rollback). */
  stillUnavailable?: string[];
  /** change-failed: the change was rolled back and everything works as before. */
  rolledBack?: boolean;
}

export interface RenderedNotice {
  locale: 'en' | 'nl';
  title: string;
  text: string;
}

type Texts = Record<NoticeKind, { title: (c: Ctx) => string; text: (c: Ctx) => string }>;
interface Ctx {
  what: string;
  where: string;
  from: string;
  to: string;
  how: string;
  /** change-failed: what is still hit, and until when. */
  still: string;
  until: string;
  rolledBack: boolean;
}

const EN: Texts = {
  'change-notice': { title: (c) => `Planned maintenance: ${c.what}`, text: (c) => `From ${c.from} to ${c.to}, ${c.where} will be ${c.how}.` },
  'change-update': { title: (c) => `Maintenance changed: ${c.what}`, text: (c) => `New time: ${c.from} to ${c.to}. ${c.where} will be ${c.how}.` },
  'change-cancelled': { title: (c) => `Maintenance cancelled: ${c.what}`, text: () => 'The planned maintenance will not take place. Everything works as usual.' },
  reminder: { title: (c) => `Reminder: ${c.what}`, text: (c) => `From ${c.from} to ${c.to}, ${c.where} will be ${c.how}.` },
  'change-overrun': { title: (c) => `Maintenance is taking longer: ${c.what}`, text: (c) => `${c.where} is still ${c.how}. We will tell you when it is over.` },
  'change-completed': { title: (c) => `Maintenance completed: ${c.what}`, text: () => 'The maintenance is over. Everything works as usual.' },
  'change-failed': {
    title: (c) => `Maintenance did not go as planned: ${c.what}`,
    text: (c) => (c.rolledBack ? 'The maintenance was undone. Everything works as before.' : `${c.still} is still ${c.how}, until ${c.until}.`),
  },
  'incident-notice': { title: (c) => `Disruption: ${c.what}`, text: (c) => `Since ${c.from}, ${c.where} is ${c.how}. We are working on it.` },
  'incident-update': { title: (c) => `Update: ${c.what}`, text: (c) => `${c.where} is still ${c.how}. We are working on it.` },
  'incident-resolved': { title: (c) => `Resolved: ${c.what}`, text: () => 'The disruption is over. Everything works as usual.' },
  'all-clear': { title: (c) => `You are no longer affected: ${c.what}`, text: () => 'The services you use are not affected after all.' },
};

const NL: Texts = {
  'change-notice': { title: (c) => `Gepland onderhoud: ${c.what}`, text: (c) => `Van ${c.from} tot ${c.to} is ${c.where} ${c.how}.` },
  'change-update': { title: (c) => `Onderhoud gewijzigd: ${c.what}`, text: (c) => `Nieuwe tijd: ${c.from} tot ${c.to}. ${c.where} is dan ${c.how}.` },
  'change-cancelled': { title: (c) => `Onderhoud gaat niet door: ${c.what}`, text: () => 'Het geplande onderhoud gaat niet door. Alles werkt zoals gewoonlijk.' },
  reminder: { title: (c) => `Herinnering: ${c.what}`, text: (c) => `Van ${c.from} tot ${c.to} is ${c.where} ${c.how}.` },
  'change-overrun': { title: (c) => `Onderhoud duurt langer: ${c.what}`, text: (c) => `${c.where} is nog steeds ${c.how}. We laten het weten als het klaar is.` },
  'change-completed': { title: (c) => `Onderhoud afgerond: ${c.what}`, text: () => 'Het onderhoud is klaar. Alles werkt weer zoals gewoonlijk.' },
  'change-failed': {
    title: (c) => `Onderhoud niet verlopen zoals gepland: ${c.what}`,
    text: (c) => (c.rolledBack ? 'Het onderhoud is teruggedraaid. Alles werkt weer zoals voorheen.' : `${c.still} is nog steeds ${c.how}, tot ${c.until}.`),
  },
  'incident-notice': { title: (c) => `Storing: ${c.what}`, text: (c) => `Sinds ${c.from} is ${c.where} ${c.how}. We werken aan een oplossing.` },
  'incident-update': { title: (c) => `Update: ${c.what}`, text: (c) => `${c.where} is nog steeds ${c.how}. We werken aan een oplossing.` },
  'incident-resolved': { title: (c) => `Opgelost: ${c.what}`, text: () => 'De storing is voorbij. Alles werkt weer zoals gewoonlijk.' },
  'all-clear': { title: (c) => `U heeft er geen last meer van: ${c.what}`, text: () => 'De diensten die u gebruikt worden toch niet geraakt.' },
};

const HOW: Record<'en' | 'nl', Record<Effect, string>> = {
  en: { outage: 'unavailable', degraded: 'slower or partly unavailable', none: 'available' },
  nl: { outage: 'niet beschikbaar', degraded: 'trager of deels niet beschikbaar', none: 'beschikbaar' },
};

export const localeOf = (locale: string | undefined): 'en' | 'nl' => (locale?.toLowerCase().startsWith('nl') ? 'nl' : 'en');

const when = (ms: number | undefined, locale: 'en' | 'nl', timeZone = 'UTC') =>
  ms === undefined
    ? locale === 'nl' ? 'nader te bepalen' : 'further notice'
    : new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(ms);

export const renderNotice = (kind: NoticeKind, locale: string | undefined, ctx: NoticeContext): RenderedNotice => {
  const lang = localeOf(locale);
  const texts = lang === 'nl' ? NL : EN;
  const c: Ctx = {
    what: ctx.subjectTitle,
    where: ctx.touchpoints.length > 0 ? ctx.touchpoints.join(', ') : lang === 'nl' ? 'de dienst' : 'the service',
    from: when(ctx.start, lang, ctx.timeZone),
    to: when(ctx.end, lang, ctx.timeZone),
    how: HOW[lang][ctx.effect],
    still: ctx.stillUnavailable && ctx.stillUnavailable.length > 0 ? ctx.stillUnavailable.join(', ') : lang === 'nl' ? 'de dienst' : 'the service',
    until: when(ctx.expectedResolutionAt, lang, ctx.timeZone),
    rolledBack: ctx.rolledBack === true,
  };
  const eta =
    ctx.expectedResolutionAt !== undefined && (kind === 'incident-notice' || kind === 'incident-update')
      ? ` ${lang === 'nl' ? 'Verwacht hersteld' : 'Expected back'}: ${c.until}.`
      : '';
  const extra = ctx.customerMessage && kind !== 'all-clear' ? ` ${ctx.customerMessage}` : '';
  return { locale: lang, title: texts[kind].title(c), text: `${texts[kind].text(c)}${eta}${extra}` };
};
