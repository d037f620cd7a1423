/**
 * A deterministic, large synthetic estate for benchmarks: layered components (infrastructure ->
 * services -> applications) with hard, soft and anyOf dependencies, touchpoints on top, and customers
 * with always-on and time-windowed usages. Written as the graph file format + CSVs under bench/.data/.
 */
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { prng } from '../../examples/airline/generate.ts';

export interface EstateSize {
  components: number;
  touchpoints: number;
  customers: number;
  /** Usages per customer on average (the first is always-on, the rest booking-like windows). */
  usagesPerCustomer: number;
}

export const BIG: EstateSize = { components: 2_000, touchpoints: 500, customers: 1_000_000, usagesPerCustomer: 2 };

export const DATA_DIR = new URL('../.data/', import.meta.url).pathname;

export interface EstateFiles {
  graph: string;
  customers: string;
  usage: string;
  /** A component whose outage reaches the popular touchpoints (tp-0..tp-19). */
  hotComponent: string;
}

const CHANNELS = ['email', 'sms|email', 'push|sms|email'];
const TOUCHPOINT_CHANNELS = ['web', 'mobile', 'kiosk', 'terminal', 'ivr', 'api', 'contact-center'];

const writeLines = async (file: string, header: string, count: number, line: (i: number) => string) => {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  let buffer = '';
  for (let i = 0; i < count; i++) {
    buffer += `${line(i)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
};

/** Generates the estate once (files are kept under bench/.data and reused while they exist). */
export const estate = async (size: EstateSize = BIG, name = 'big'): Promise<EstateFiles> => {
  const dir = join(DATA_DIR, name);
  const files = { graph: join(dir, 'graph.json'), customers: join(dir, 'customers.csv'), usage: join(dir, 'usage.csv'), hotComponent: 'infra-0' };
  if (existsSync(files.usage)) return files;
  mkdirSync(dir, { recursive: true });
  const random = prng(424242);
  const int = (n: number) => Math.floor(random() * n);

  const infra = Math.floor(size.components * 0.1);
  const services = Math.floor(size.components * 0.4);
  const components: object[] = [];
  for (let i = 0; i < infra; i++) components.push({ id: `infra-${i}`, team: `team-${i % 25}` });
  for (let i = 0; i < services; i++) {
    const deps: unknown[] = [i === 0 ? 'infra-0' : `infra-${int(infra)}`];
    if (i > 0 && random() < 0.5) deps.push({ id: `svc-${int(i)}`, type: 'soft' });
    if (random() < 0.3) deps.push({ anyOf: [`infra-${int(infra)}`, `infra-${int(infra)}`] });
    components.push({ id: `svc-${i}`, team: `team-${i % 25}`, dependsOn: deps });
  }
  const apps = size.components - infra - services;
  for (let i = 0; i < apps; i++) {
    const deps: unknown[] = [i === 0 ? 'svc-0' : `svc-${int(services)}`, `svc-${int(services)}`];
    if (random() < 0.4) deps.push({ id: `svc-${int(services)}`, type: 'soft' });
    components.push({ id: `app-${i}`, team: `team-${i % 25}`, dependsOn: deps });
  }
  const touchpoints: object[] = [];
  for (let i = 0; i < size.touchpoints; i++) {
    const deps: unknown[] = [i < 20 ? 'app-0' : `app-${int(apps)}`];
    if (random() < 0.5) deps.push(`app-${int(apps)}`);
    touchpoints.push({ id: `tp-${i}`, channel: TOUCHPOINT_CHANNELS[i % TOUCHPOINT_CHANNELS.length], team: `team-${i % 25}`, dependsOn: deps });
  }
  const notificationChannels = [
    { channel: 'sms', dependsOn: [`infra-${infra - 1}`] },
    { channel: 'email', dependsOn: [`infra-${infra - 2}`] },
    { channel: 'push', dependsOn: [`infra-${infra - 3}`] },
  ];
  writeFileSync(files.graph, JSON.stringify({ components, touchpoints, notificationChannels }));

  await writeLines(files.customers, 'id,segment,locale,timeZone,email,phone,push,channels,optOut,quietStart,quietEnd', size.customers, (i) => {
    const id = `C-${i}`;
    return `${id},${['basic', 'silver', 'gold'][i % 3]},en-GB,Europe/London,c${i}@example.com,+4470${String(i).padStart(8, '0')},,${CHANNELS[i % 3]},${i % 50 === 0},,`;
  });
  const base = Date.UTC(2026, 11, 1);
  const extra = Math.round((size.usagesPerCustomer - 1) * size.customers);
  await writeLines(files.usage, 'customerId,touchpoint,from,to', size.customers + extra, (i) => {
    if (i < size.customers) {
      // Popular touchpoints first: 40% of customers use one of tp-0..tp-19 all the time.
      const tp = i % 10 < 4 ? int(20) : 20 + int(size.touchpoints - 20);
      return `C-${i},tp-${tp},,`;
    }
    const from = base + int(31 * 24) * 3_600_000;
    return `C-${int(size.customers)},tp-${int(size.touchpoints)},${new Date(from).toISOString()},${new Date(from + 3 * 3_600_000).toISOString()}`;
  });
  return files;
};
