/**
 * One chaos run: `npm start` as a child process on a data dir of its own, with IMPACT_CHAOS throttling
 * and failing entries of its DynamoDB, SNS and SQS requests all along, fed the scenario's waves of
 * events; after each wave one kill at a point chosen from the seed: the runtime (kill -9) while an event
 * is being ingested, while it is being assessed, in the middle of its fan-out, or DynamoDB Local's java.
 * A killed runtime is started again (a producer resends what was not acknowledged). Then it checks:
 * - every event PutEvents acknowledged is in the event store (the subject's history, through the API);
 * - every reachable affected customer was told exactly once (noticeIds in the outbox against the
 *   what-if's), and the ledger (the API's counts by kind) says the same as the outbox;
 * - every job is done or in dead-letters.jsonl with its reason (the queue and the inbox are empty).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { prng } from '../../examples/airline/generate.ts';
import { LOCAL_AWS, freePort } from '../../lib/local/dynamodb-local.ts';
import { javaProcessesFor, killJavaFor, startRuntime, waitFor, type RuntimeProcess } from '../e2e/runtime-process.ts';
import { scenario, type Kill, type PlannedEvent, type Wave } from './scenario.ts';

export interface ChaosOptions {
  seed: number;
  /** Where the run keeps its files (a fresh directory per run). */
  dir: string;
  customers: number;
  /** Probabilities of a throttled request and of a failed batch entry (IMPACT_CHAOS). */
  throttle: number;
  fail: number;
  /** SNS messages per second the fan-out is paced to: slow enough that a kill can land inside it. */
  snsRate: number;
  log?: (line: string) => void;
}

export interface RunResult {
  seed: number;
  seconds: number;
  /** Faults injected, by kind: kills by the phase they landed in, resends, reorderings, SDK faults by service. */
  faults: Record<string, number>;
  events: { sent: number; accepted: number; acceptedNotStored: string[] };
  notices: { expected: number; sent: number; misses: string[]; doubles: string[]; unexpected: string[] };
  /** Per subject and kind: the ledger's count (API) against the outbox's, where they differ. */
  ledgerMismatches: string[];
  deadLetters: { source: string; reason: string }[];
  /** Jobs and bus deliveries still stored when the run ended (must be none). */
  leftOver: { jobs: number; inbox: number };
}

type Notice = { noticeId: string; subject: string; kind: string };

const lines = (file: string): unknown[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        })
    : [];

const count = (into: Record<string, number>, key: string, n = 1) => void (into[key] = (into[key] ?? 0) + n);

export const chaosRun = async (options: ChaosOptions): Promise<RunResult> => {
  const started = Date.now();
  const log = (line: string) => options.log?.(`${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s ${line}`);
  const random = prng(options.seed * 7919);
  mkdirSync(options.dir, { recursive: true });
  const world = await scenario(options.seed, options.dir, options.customers);
  const data = join(options.dir, 'data');
  const file = (name: string) => join(data, name);
  const [eventsPort, apiPort] = [await freePort(), await freePort()];
  const faults: Record<string, number> = {};
  let starts = 0;
  let runtime: RuntimeProcess | undefined;

  /** Each start's output, kept beside the data for a look afterwards (npm run chaos -- --keep). */
  const keepOutput = () => runtime && writeFileSync(join(options.dir, `runtime-${starts}.log`), runtime.output());
  const start = async () => {
    keepOutput();
    const env = { IMPACT_CHAOS: `seed:${options.seed * 100 + starts++},throttle:${options.throttle},fail:${options.fail}` };
    runtime = await startRuntime(
      [
        '--data-dir',
        data,
        '--events-port',
        String(eventsPort),
        '--api-port',
        String(apiPort),
        '--graph',
        world.files.graph,
        '--customers',
        world.files.customers,
        '--usage',
        world.files.usage,
        '--sns-rate',
        String(options.snsRate),
      ],
      env,
    );
  };
  const killRuntime = async (phase: string) => {
    runtime!.proc.kill('SIGKILL');
    await runtime!.exited;
    count(faults, phase);
    log(`  kill -9 of the runtime ${phase.replace('kill-', 'mid-')}`);
    await waitFor(() => javaProcessesFor(data).length === 0, 15_000, 'java to stop with the runtime');
    await start();
    log('  runtime up again');
  };
  const api = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/api${path}`);
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  };
  const notices = (): Notice[] =>
    (lines(file('outbox.jsonl')) as { topic: string; message: Notice }[]).filter((l) => l.topic === 'customer-notices').map((l) => l.message);
  const noticesOf = (subjects: string[]) => notices().filter((n) => subjects.includes(n.subject)).length;

  const client = new EventBridgeClient({ endpoint: `http://127.0.0.1:${eventsPort}`, ...LOCAL_AWS, maxAttempts: 1 });
  const accepted = new Set<string>();
  /** Puts events until each is acknowledged (a producer resends what failed or got no answer). */
  const put = async (events: PlannedEvent[]) => {
    let pending = events;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 500));
      if (attempt > 120) throw new Error(`events not acknowledged after a minute: ${pending.map((e) => e.detail.eventId).join(', ')}`);
      try {
        const out = await client.send(
          new PutEventsCommand({
            Entries: pending.map((e) => ({ EventBusName: 'impact', Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(e.detail) })),
          }),
        );
        const failed = pending.filter((_, i) => !out.Entries?.[i]?.EventId);
        for (const e of pending) if (!failed.includes(e)) accepted.add(e.detail.eventId);
        pending = failed;
      } catch {
        // No answer: nothing is known to be stored; send again.
      }
    }
  };

  /** Kills what the wave says, at the point it names; returns the phase the kill really landed in. */
  const kill = async (wave: Wave, kind: Kill) => {
    const expectedOfWave = [...world.expected].filter((id) => wave.subjects.some((s) => id.startsWith(`${s}/`))).length;
    if (kind === 'kill-ingest') {
      await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
      return killRuntime('kill-ingest');
    }
    if (kind === 'kill-assess') {
      // Assessed (the subject is projected) but its fan-out not begun: assess is still planning or queueing.
      await waitFor(
        async () =>
          noticesOf(wave.subjects) > 0 ||
          ((await api('/subjects').catch(() => undefined))?.subjects as { subjectKey: string }[] | undefined)?.some((s) =>
            wave.subjects.includes(s.subjectKey),
          ) === true,
        60_000,
        'the wave assessed',
      );
      return killRuntime(noticesOf(wave.subjects) > 0 ? 'kill-fan-out' : 'kill-assess');
    }
    if (wave.subjects.length === 0) await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
    else {
      const threshold = 1 + Math.floor(random() * Math.max(1, expectedOfWave - 2));
      await waitFor(() => noticesOf(wave.subjects) >= threshold, 90_000, `${threshold} notices of ${wave.subjects.join(', ')}`);
    }
    if (kind === 'kill-fan-out') return killRuntime(noticesOf(wave.subjects) < expectedOfWave ? 'kill-fan-out' : 'kill-after-fan-out');
    const [java] = javaProcessesFor(data);
    const before = runtime!.output().split('DynamoDB Local is back').length;
    process.kill(java, 'SIGKILL');
    count(faults, 'kill-dynamodb');
    log('  kill -9 of DynamoDB Local (the runtime starts it again)');
    await waitFor(() => runtime!.output().split('DynamoDB Local is back').length > before, 90_000, 'DynamoDB Local back');
  };

  try {
    await start();
    log(`run ${options.seed}: ${options.customers} customers, ${world.expected.size} notices expected; runtime up`);
    for (const wave of world.waves) {
      for (const e of wave.events) {
        if (e.resend) count(faults, 'duplicate-event');
        if (e.stale) count(faults, 'reordered-event');
      }
      log(
        `  wave: ${wave.events.map((e) => `${e.detailType} ${e.detail.changeId ?? e.detail.incidentId}${e.resend ? ' (again)' : ''}${e.stale ? ' (stale)' : ''}`).join(', ')}`,
      );
      await put(wave.events);
      await kill(wave, wave.kill);
    }
    // Quiet: every expected notice out (or a deadline), nothing queued, the outbox still for 3 s.
    const store = () => new DatabaseSync(file('runtime.sqlite'), { readOnly: true });
    const depth = () => {
      const db = store();
      try {
        return {
          jobs: Number((db.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n),
          inbox: Number((db.prepare('SELECT count(*) AS n FROM inbox').get() as { n: number }).n),
        };
      } finally {
        db.close();
      }
    };
    const deadline = Date.now() + 180_000;
    let last = -1;
    let stillSince = Date.now();
    for (;;) {
      const sent = new Set(notices().map((n) => n.noticeId));
      const n = notices().length;
      if (n !== last) [last, stillSince] = [n, Date.now()];
      const { jobs, inbox } = depth();
      const allOut = [...world.expected].every((id) => sent.has(id));
      if ((allOut && jobs === 0 && inbox === 0 && Date.now() - stillSince > 3_000) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }

    log('  quiet; checking');
    const subjects = ['change#CHG-0', 'change#CHG-1', 'change#CHG-2', 'incident#INC-0'];
    const views = new Map<string, { history: { eventId: string }[]; noticesByKind: Record<string, number> }>();
    for (const key of subjects) {
      const view = await api(`/subjects/${key.replace('#', '/')}`);
      if (view) views.set(key, view as never);
    }
    const stored = new Set([...views.values()].flatMap((v) => v.history.map((h) => h.eventId)));
    const outbox = notices();
    const seen = new Map<string, number>();
    for (const n of outbox) seen.set(n.noticeId, (seen.get(n.noticeId) ?? 0) + 1);
    const ledgerMismatches: string[] = [];
    for (const key of subjects) {
      const inOutbox: Record<string, number> = {};
      for (const n of outbox.filter((m) => m.subject === key)) count(inOutbox, n.kind);
      const inLedger = views.get(key)?.noticesByKind ?? {};
      for (const kind of new Set([...Object.keys(inOutbox), ...Object.keys(inLedger)])) {
        if ((inOutbox[kind] ?? 0) !== (inLedger[kind] ?? 0))
          ledgerMismatches.push(`${key} ${kind}: ledger ${inLedger[kind] ?? 0}, outbox ${inOutbox[kind] ?? 0}`);
      }
    }
    for (const line of existsSync(file('chaos-faults.log')) ? readFileSync(file('chaos-faults.log'), 'utf8').split('\n').filter(Boolean) : [])
      count(faults, line);
    const leftOver = depth();
    const planned = world.waves.flatMap((w) => w.events);
    return {
      seed: options.seed,
      seconds: Math.round((Date.now() - started) / 1000),
      faults,
      events: { sent: planned.length, accepted: accepted.size, acceptedNotStored: [...accepted].filter((id) => !stored.has(id)) },
      notices: {
        expected: world.expected.size,
        sent: outbox.length,
        misses: [...world.expected].filter((id) => !seen.has(id)),
        doubles: [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`),
        unexpected: [...seen.keys()].filter((id) => !world.expected.has(id)),
      },
      ledgerMismatches,
      deadLetters: (lines(file('dead-letters.jsonl')) as { source: string; reason: string }[]).map(({ source, reason }) => ({ source, reason })),
      leftOver,
    };
  } finally {
    runtime?.proc.kill('SIGTERM');
    await runtime?.exited;
    keepOutput();
    killJavaFor(data);
    client.destroy();
  }
};
