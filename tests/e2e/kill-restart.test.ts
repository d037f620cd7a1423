import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS, freePort } from '../../lib/local/dynamodb-local.ts';
import { javaProcessesFor, killJavaFor, runToExit, startRuntime, waitFor, type RuntimeProcess } from './runtime-process.ts';
import { outboxLines } from '../support/outbox.ts';

const CUSTOMERS = 120;
const dir = mkdtempSync(join(tmpdir(), 'impact-kill-'));
writeFileSync(
  join(dir, 'graph.yaml'),
  `components: [{ id: db }]\ntouchpoints: [{ id: web, channel: web, dependsOn: [db] }]\ncustomers:\n${Array.from({ length: CUSTOMERS }, (_, i) => `  - { id: C-${String(i).padStart(3, '0')}, contacts: { email: c${i}@example.com }, uses: [web] }`).join('\n')}\n`,
);
let runtime: RuntimeProcess | undefined;

/** `npm start` on a data dir of its own; paced to 40 messages/s by default, so that a fan-out takes seconds. */
const start = (data: string, eventsPort: number, apiPort: number, snsRate = 40) =>
  startRuntime([
    '--data-dir',
    join(dir, data),
    '--events-port',
    String(eventsPort),
    '--api-port',
    String(apiPort),
    '--graph',
    join(dir, 'graph.yaml'),
    '--sns-rate',
    String(snsRate),
  ]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/**
 * Stops a runtime with a signal and checks that DynamoDB Local's java went with it: by SIGTERM through
 * the runtime's own stop, by SIGKILL through the watchdog (the runtime gets no say).
 */
const stopWith = async (r: RuntimeProcess, data: string, signal: 'SIGTERM' | 'SIGKILL') => {
  const javas = javaProcessesFor(join(dir, data));
  expect(javas, `one java for ${data}`).toHaveLength(1);
  r.proc.kill(signal);
  expect(await r.exited).toBe(signal === 'SIGTERM' ? 0 : null);
  await waitFor(() => !alive(javas[0]), 10_000, `java of the ${data} run to stop after ${signal}`);
};
const notices = (data: string) => {
  const outbox = join(dir, data, 'outbox.jsonl');
  return outboxLines(outbox).filter((m) => m.topic === 'customer-notices');
};
const change = (id: string) => ({
  EventBusName: 'impact',
  Source: 'test',
  DetailType: 'Change Scheduled',
  Detail: JSON.stringify({
    changeId: id,
    title: 'Kill test',
    window: { start: '2030-01-01T00:00:00Z', end: '2030-01-01T02:00:00Z' },
    impacts: [{ node: 'db' }],
  }),
});

afterAll(async () => {
  runtime?.proc.kill('SIGTERM');
  await runtime?.exited;
  killJavaFor(dir);
});

describe('the local runtime killed in the middle of a fan-out', () => {
  it('resumes after a restart: every affected customer gets exactly one notice, and the API counts each once', async () => {
    const [eventsPort, apiPort] = [await freePort(), await freePort()];
    runtime = await start('fanout', eventsPort, apiPort);
    const client = new EventBridgeClient({ endpoint: `http://127.0.0.1:${eventsPort}`, ...LOCAL_AWS });
    await client.send(new PutEventsCommand({ Entries: [change('CHG-K')] }));
    // Killed the moment the fan-out is under way: between an outbox write and its ledger mark as likely as not.
    await waitFor(() => notices('fanout').length > 0, 60_000, 'a fan-out in progress');
    await stopWith(runtime, 'fanout', 'SIGKILL');
    const before = notices('fanout').length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(CUSTOMERS);

    runtime = await start('fanout', eventsPort, apiPort);
    await waitFor(() => notices('fanout').length >= CUSTOMERS, 90_000, 'every notice');
    await new Promise((r) => setTimeout(r, 2_000));
    const ids = notices('fanout').map((n) => n.message.customerId);
    expect(ids).toHaveLength(CUSTOMERS);
    expect(new Set(ids).size).toBe(CUSTOMERS);
    const subject = (await (await fetch(`http://127.0.0.1:${apiPort}/api/subjects/change/CHG-K`)).json()) as { noticesByKind: Record<string, number> };
    expect(subject.noticesByKind).toEqual({ 'change-notice': CUSTOMERS });
    await stopWith(runtime, 'fanout', 'SIGTERM');
  }, 180_000);
});

describe('durable before acknowledged', () => {
  it('an event PutEvents acknowledged is ingested after a kill -9 that came right after the answer', async () => {
    const [eventsPort, apiPort] = [await freePort(), await freePort()];
    runtime = await start('ack', eventsPort, apiPort, 1_000);
    const client = new EventBridgeClient({ endpoint: `http://127.0.0.1:${eventsPort}`, ...LOCAL_AWS });
    const out = await client.send(new PutEventsCommand({ Entries: [change('CHG-ACK-1'), change('CHG-ACK-2')] }));
    await stopWith(runtime, 'ack', 'SIGKILL');
    expect(out.FailedEntryCount).toBe(0);

    runtime = await start('ack', eventsPort, apiPort, 1_000);
    const subjects = async () =>
      ((await (await fetch(`http://127.0.0.1:${apiPort}/api/subjects`)).json()) as { subjects: { subjectKey: string }[] }).subjects.map((s) => s.subjectKey);
    await waitFor(async () => (await subjects()).length >= 2, 60_000, 'both changes in the store');
    expect((await subjects()).sort()).toEqual(['change#CHG-ACK-1', 'change#CHG-ACK-2']);
    await waitFor(() => notices('ack').length >= 2 * CUSTOMERS, 90_000, 'the notices of both changes');
    await stopWith(runtime, 'ack', 'SIGTERM');
  }, 180_000);
});

describe('a start that fails leaves nothing behind', () => {
  it('a port in use: a clear error naming the port, exit code 1, no java left', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const { code, output } = await runToExit([
        '--data-dir',
        join(dir, 'busy'),
        '--events-port',
        String(port),
        '--api-port',
        String(await freePort()),
        '--graph',
        join(dir, 'graph.yaml'),
      ]);
      expect(code).toBe(1);
      expect(output).toContain(`port ${port}`);
      expect(output).toMatch(/in use/);
      expect(output).toContain('--events-port');
      expect(output).not.toMatch(/\n\s+at /); // an error for a person, not a stack trace
    } finally {
      busy.close();
    }
    expect(javaProcessesFor(join(dir, 'busy'))).toEqual([]);
  }, 120_000);
});
