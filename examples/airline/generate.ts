/**
 * Generates the airline's customers.csv and usage.csv deterministically (seeded PRNG): run
 * `node examples/airline/generate.ts` and the committed files come out byte for byte.
 * Always-on usage for web and app; bookings in December 2026 as time-windowed usages of kiosks,
 * bag drops, gates and lounges at the departure airport.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CUSTOMER_COUNT = 10_000;
const SEED = 20261205;

/** mulberry32: small, fast and the same on every platform. */
export const prng = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

type Home = { locale: string; timeZone: string; airport: string; phonePrefix: string };
const HOMES: Home[] = [
  { locale: 'nl-NL', timeZone: 'Europe/Amsterdam', airport: 'ams', phonePrefix: '+316' },
  { locale: 'en-GB', timeZone: 'Europe/London', airport: 'lhr', phonePrefix: '+447' },
  { locale: 'de-DE', timeZone: 'Europe/Berlin', airport: 'fra', phonePrefix: '+4915' },
  { locale: 'en-US', timeZone: 'America/New_York', airport: 'jfk', phonePrefix: '+1212' },
  { locale: 'fr-FR', timeZone: 'Europe/Paris', airport: 'cdg', phonePrefix: '+336' },
];
const HOME_WEIGHTS = [0.4, 0.22, 0.18, 0.12, 0.08];
const SEGMENTS = ['basic', 'silver', 'gold', 'platinum', 'corporate'];
const SEGMENT_WEIGHTS = [0.6, 0.2, 0.12, 0.05, 0.03];
const CHANNEL_PREFS = ['email', 'sms|email', 'push|sms|email', 'push|email', 'sms'];
const CHANNEL_WEIGHTS = [0.35, 0.3, 0.2, 0.1, 0.05];
const AIRPORTS = ['ams', 'lhr', 'fra', 'jfk', 'cdg'];
const GATES = new Set(['ams', 'lhr', 'fra', 'jfk']);
const HOUR = 3_600_000;

export const generate = (count = CUSTOMER_COUNT): { customers: string; usage: string } => {
  const random = prng(SEED);
  const pick = <T>(items: T[], weights: number[]): T => {
    let r = random();
    for (let i = 0; i < items.length; i++) if ((r -= weights[i]) < 0) return items[i];
    return items[items.length - 1];
  };
  const chance = (p: number) => random() < p;
  const customers = ['id,segment,locale,timeZone,email,phone,push,channels,optOut,quietStart,quietEnd'];
  const usage = ['customerId,touchpoint,from,to'];
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

  for (let n = 0; n < count; n++) {
    const id = `C-${10001 + n}`;
    const home = pick(HOMES, HOME_WEIGHTS);
    const segment = pick(SEGMENTS, SEGMENT_WEIGHTS);
    const email = chance(0.97) ? `${id.toLowerCase()}@example.com` : '';
    const phone = chance(0.8) ? `${home.phonePrefix}${String(10_000_000 + Math.floor(random() * 89_999_999)).slice(0, 8)}` : '';
    const push = chance(0.45) ? `push-${(Math.floor(random() * 0xffffffff) >>> 0).toString(16).padStart(8, '0')}` : '';
    const channels = pick(CHANNEL_PREFS, CHANNEL_WEIGHTS);
    const optOut = chance(0.03);
    const quiet = chance(0.3);
    customers.push(
      [id, segment, home.locale, home.timeZone, email, phone, push, channels, String(optOut), quiet ? '22:00' : '', quiet ? '07:00' : ''].join(','),
    );

    for (const [touchpoint, p] of [
      ['web-my-trips', 0.7],
      ['web-booking', 0.4],
      ['app-booking', 0.3],
      ['app-checkin', 0.5],
      ['app-boarding-pass', 0.3],
      ['ivr-flight-status', 0.05],
      ['contact-center', 0.05],
    ] as const) {
      if (chance(p)) usage.push(`${id},${touchpoint},,`);
    }
    if (segment === 'corporate') usage.push(`${id},partner-ndc,,`);

    const trips = chance(0.85) ? (chance(0.3) ? 2 : 1) : 0;
    for (let t = 0; t < trips; t++) {
      const airport = chance(0.7) ? home.airport : AIRPORTS[Math.floor(random() * AIRPORTS.length)];
      const day = 1 + Math.floor(random() * 31);
      const minutes = 6 * 60 + 5 * Math.floor(random() * (15 * 12));
      const departure = Date.UTC(2026, 11, day) + minutes * 60_000;
      usage.push(`${id},web-checkin,${iso(departure - 24 * HOUR)},${iso(departure - HOUR)}`);
      usage.push(`${id},kiosk-${airport},${iso(departure - 3 * HOUR)},${iso(departure - HOUR)}`);
      if (airport === 'ams') usage.push(`${id},bagdrop-ams,${iso(departure - 3 * HOUR)},${iso(departure - HOUR)}`);
      if (GATES.has(airport)) usage.push(`${id},gate-${airport},${iso(departure - HOUR)},${iso(departure)}`);
      if (airport === 'ams' && ['gold', 'platinum'].includes(segment)) usage.push(`${id},lounge-ams,${iso(departure - 3 * HOUR)},${iso(departure)}`);
    }
  }
  return { customers: `${customers.join('\n')}\n`, usage: `${usage.join('\n')}\n` };
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const here = dirname(fileURLToPath(import.meta.url));
  const { customers, usage } = generate();
  writeFileSync(join(here, 'customers.csv'), customers);
  writeFileSync(join(here, 'usage.csv'), usage);
  process.stdout.write(`wrote ${CUSTOMER_COUNT} customers and ${usage.split('\n').length - 2} usages to ${here}\n`);
}
