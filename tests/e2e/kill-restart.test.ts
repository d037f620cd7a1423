import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS, freePort } from '../../lib/local/dynamodb-local.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CUSTOMERS = 120;
const dir = mkdtempSync(join(tmpdir(), 'impact-kill-'));
writeFileSync(
  join(dir, 'graph.yaml'),
  `components: [{ id: db }]\ntouchpoints: [{ id: web, channel: web, dependsOn: [db] }]\ncustomers:\n${Array.from({ length: CUSTOMERS }, (_, i) => `  - { id: C-${String(i).padStart(3, '0')}, contacts: { email: c${i}@example.com }, uses: [web] }`).join('\n')}\n`,
);
const outbox = join(dir, 'data', 'outbox.jsonl');
const notices = () => (existsSync(outbox) ? readFileSync(outbox, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((m) => m.topic === 'customer-notices') : []);
let child: ChildProcess | undefined;

/** Runs `npm start`'s entry as a real process, paced to 40 messages/s so the fan-out takes seconds. */
const start = async (eventsPort: number, apiPort: number) => {
  const proc = spawn(process.execPath, [join(ROOT, 'lib/local/start.ts'), '--data-dir', join(dir, 'data'), '--events-port', String(eventsPort), '--api-port', String(apiPort), '--graph', join(dir, 'graph.yaml'), '--sns-rate', '40'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => ((out += d.toString()), out.includes('running locally') && resolve()));
    proc.on('exit', (code) => reject(new Error(`runtime exited (${code}): ${out}`)));
  });
  return proc;
};
const waitFor = async (check: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

afterAll(async () => {
  child?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1_000));
  // A SIGKILLed runtime leaves its DynamoDB Local (Java) behind, as a crashed process would: clean it up.
  spawnSync('pkill', ['-f', dir]);
});

describe('the local runtime killed in the middle of a fan-out', () => {
  it('resumes after a restart: every affected customer gets exactly one notice', async () => {
    const [eventsPort, apiPort] = [await freePort(), await freePort()];
    child = await start(eventsPort, apiPort);
    const client = new EventBridgeClient({ endpoint: `http://127.0.0.1:${eventsPort}`, ...LOCAL_AWS });
    const detail = { changeId: 'CHG-K', title: 'Kill test', window: { start: '2030-01-01T00:00:00Z', end: '2030-01-01T02:00:00Z' }, impacts: [{ node: 'db' }] };
    await client.send(new PutEventsCommand({ Entries: [{ EventBusName: 'impact', Source: 'test', DetailType: 'Change Scheduled', Detail: JSON.stringify(detail) }] }));
    // Kill between batches: some notices out, the count steady for 150 ms (past the ledger mark).
    let last = -1;
    let steadySince = Date.now();
    await waitFor(() => {
      const n = notices().length;
      if (n !== last) [last, steadySince] = [n, Date.now()];
      return n > 0 && n < CUSTOMERS && Date.now() - steadySince > 150;
    }, 60_000);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const before = notices().length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(CUSTOMERS);

    child = await start(eventsPort, apiPort);
    await waitFor(() => notices().length >= CUSTOMERS, 90_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const ids = notices().map((n) => n.message.customerId);
    expect(ids).toHaveLength(CUSTOMERS);
    expect(new Set(ids).size).toBe(CUSTOMERS);
    child.kill('SIGTERM');
  }, 180_000);
});
