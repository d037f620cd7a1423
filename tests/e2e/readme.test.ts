/**
 * The README, executed. Every command of every fenced `bash` block outside the deploy section (which
 * needs an AWS account) runs as written, top to bottom, from a fresh copy of the repository (what a
 * clone holds: `git ls-files`), in a user's environment (no npm/vitest variables, no node_modules on the
 * PATH, no AWS credentials), with `npm ci` run for real, one `npm start` on its default ports (3000,
 * 4010) and data dir, and each command checked against what the README promises of it. The commands
 * are read from README.md at run time: edit the README and this test follows it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDbEndpoint } from '../../bin/commands/local-endpoint.ts';
import { ROOT } from '../support/cli.ts';
import { optionOf, readmeCommands, shellWords, type ReadmeCommand } from '../support/readme.ts';
import { expectedFirstNotices, type ExpectedNotices } from '../support/what-if.ts';
import { intakeEventsOf, pipelineEventsOfEntry } from '../support/intake.ts';
import type { IntakeSource } from '../../functions/domain/intake/index.ts';
import { outboxLines } from '../support/outbox.ts';

const README_SECTIONS_SKIPPED = new Set(['deploy']);
const API = 'http://127.0.0.1:3000';
const commands = readmeCommands(readFileSync(join(ROOT, 'README.md'), 'utf8')).filter((c) => !README_SECTIONS_SKIPPED.has(c.section));

const work = mkdtempSync(join(tmpdir(), 'impact-readme-'));
const clone = join(work, 'impact');
const file = (path: string) => join(clone, path);

/** A user's shell: no npm or vitest variables, no node_modules on the PATH, no AWS credentials or config. */
const userEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|VITEST|POWERTOOLS_|AWS_|NODE_OPTIONS$|NODE_ENV$|TEST$|INIT_CWD$)/.test(key)) env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((p) => !p.includes('node_modules'))
    .join(':');
  env.AWS_CONFIG_FILE = env.AWS_SHARED_CREDENTIALS_FILE = join(work, 'no-aws-config');
  return env;
};

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a README line in bash in the clone, as its own process group (so a hung one can be ended whole). */
const sh = (command: string, timeoutMs: number): Promise<Ran> =>
  new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd: clone, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

const waitFor = async <T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

const portInUse = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

// --- the running `npm start` and its outbox --------------------------------------------------------

interface Runtime {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}
let runtime: Runtime | undefined;

const startRuntime = (command: string): Runtime => {
  const child = spawn('bash', ['-c', command], { cwd: clone, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output: () => output, exited };
};

/** Ctrl-C in a terminal: SIGINT to the foreground process group. */
const interrupt = async (r: Runtime) => {
  process.kill(-r.child.pid!, 'SIGINT');
  await Promise.race([
    r.exited,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`npm start did not stop on Ctrl-C: ${r.output().slice(-500)}`)), 30_000)),
  ]);
};

interface OutboxLine {
  topic: string;
  attributes: Record<string, string>;
  message: { kind: string; subject: string; customerId: string; channel: string };
  publishedAt: string;
}
// Read while npm start appends: only whole lines count.
const outbox = (): OutboxLine[] => outboxLines(file('.impact/outbox.jsonl'));
const customerNotices = (subjectKey?: string) => outbox().filter((m) => m.topic === 'customer-notices' && (!subjectKey || m.message.subject === subjectKey));

const AIRLINE = {
  graphFiles: [file('examples/airline/graph.yaml')],
  customersCsv: file('examples/airline/customers.csv'),
  usageCsv: file('examples/airline/usage.csv'),
};

/**
 * Waits until every customer due a first notice has one, then checks what the outbox holds of the
 * subject against the offline what-if: nobody outside it, nobody twice, each on the expected channel,
 * and nobody in quiet hours woken by a notice that is not urgent.
 */
const expectNotified = async (expected: ExpectedNotices) => {
  await waitFor(
    `first notices of ${expected.subjectKey} to ${expected.due.length} customers`,
    () => {
      const told = new Set(customerNotices(expected.subjectKey).map((m) => m.message.customerId));
      return expected.due.every((id) => told.has(id));
      // A wait, not a promise of speed (npm run bench -- e2e measures that): a loaded machine with the
      // delivery stand-ins working beside the fan-out took 55-120 s for the 8,263 of CHG-2041.
    },
    300_000,
  );
  const first = customerNotices(expected.subjectKey).filter((m) => /-notice$/.test(m.message.kind));
  const ids = first.map((m) => m.message.customerId);
  // "appended to .impact/outbox.jsonl as { topic, attributes, message, publishedAt }"; the message body of the deploy section.
  expect(Object.keys(first[0]).sort()).toEqual(['attributes', 'message', 'publishedAt', 'topic']);
  expect(Object.keys(first[0].message)).toEqual(expect.arrayContaining(['channel', 'customerId', 'kind', 'locale', 'subject', 'text', 'title', 'to']));
  expect(Object.keys(first[0].attributes)).toEqual(expect.arrayContaining(['channel', 'effect', 'kind', 'locale', 'segment']));
  const subjectOf = (m: OutboxLine) => m.message as unknown as { subject?: { type: string; id: string } };
  // The briefing follows once every customer shard of the subject is planned (the fan-in).
  await waitFor(
    `the support briefing of ${expected.subjectKey}`,
    () => outbox().some((m) => m.topic === 'support-briefings' && `${subjectOf(m).subject?.type}#${subjectOf(m).subject?.id}` === expected.subjectKey),
    120_000,
  );
  expect(expected.due.length).toBeGreaterThan(0);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.filter((id) => !expected.channel.has(id))).toEqual([]);
  expect(first.filter((m) => m.message.channel !== expected.channel.get(m.message.customerId))).toEqual([]);
  expect(ids.filter((id) => expected.deferred.includes(id))).toEqual([]);
};

// --- what the README promises of each command ------------------------------------------------------

interface ReadmePromise {
  /** Which README commands this promise is about. */
  matches: (words: string[], c: ReadmeCommand) => boolean;
  timeoutMs: number;
  check: (c: ReadmeCommand, words: string[]) => Promise<void>;
}

/** The exit code a command's `# exit code N` comment states (0 when it states none). */
const statedExitCode = (c: ReadmeCommand) => Number(c.comment.match(/exit code (\d+)/)?.[1] ?? 0);

/** Runs a command and checks its exit code against the stated one. */
const runChecked = async (c: ReadmeCommand, timeoutMs: number): Promise<Ran> => {
  const ran = await sh(c.command, timeoutMs);
  expect(ran.code, `${c.command}\nstdout: ${ran.stdout.slice(-2000)}\nstderr: ${ran.stderr.slice(-2000)}`).toBe(statedExitCode(c));
  return ran;
};

const isImpact = (words: string[], ...sub: string[]) => words[0] === 'npx' && words[1] === 'impact' && sub.every((s, i) => words[2 + i] === s);

const PROMISES: ReadmePromise[] = [
  {
    // "npm ci: set up (Node 22 is pinned through the `node` devDependency ...)" - run for real.
    matches: (w) => w.join(' ') === 'npm ci',
    timeoutMs: 300_000,
    check: async (c) => {
      await runChecked(c, 280_000);
      expect(execFileSync(file('node_modules/.bin/node'), ['--version'], { encoding: 'utf8' })).toMatch(/^v22\./);
    },
  },
  {
    // "npm start: run the whole pipeline locally" / "DynamoDB Local in .impact/, events on :4010, API + console on :3000".
    matches: (w) => w.join(' ') === 'npm start',
    timeoutMs: 600_000,
    check: async (c) => {
      if (!runtime) {
        for (const port of [3000, 4010]) expect(await portInUse(port), `port ${port} is taken: stop whatever uses it (another npm start?)`).toBe(false);
        runtime = startRuntime(c.command);
      }
      const r = runtime;
      await waitFor(
        'npm start to say it is running',
        () => {
          if (r.child.exitCode !== null) throw new Error(`npm start exited (${r.child.exitCode}): ${r.output().slice(-2000)}`);
          return r.output().includes('running locally');
        },
        580_000,
      );
      expect(r.output()).toMatch(/events:\s+http:\/\/127\.0\.0\.1:4010/);
      expect(r.output()).toMatch(/console:\s+http:\/\/127\.0\.0\.1:3000/);
      expect(r.output()).toContain(`outbox:   ${file('.impact/outbox.jsonl')}`);
      expect(readdirSync(file('.impact/dynamodb')).length).toBeGreaterThan(0);
      const page = await fetch(`${API}/`);
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      expect(await page.text()).toContain('<script');
      const changes = await fetch(`${API}/api/changes`);
      expect(changes.status).toBe(200);
      expect(await changes.json()).toHaveProperty('subjects');
    },
  },
  {
    // "npm test: run the tests" - that is what is running this file; running it again would recurse.
    matches: (w) => w.join(' ') === 'npm test',
    timeoutMs: 5_000,
    check: async () => {
      expect(JSON.parse(readFileSync(file('package.json'), 'utf8')).scripts.test).toBe('vitest run');
      expect(process.env.VITEST).toBeTruthy();
      expect(readFileSync(file('vitest.config.ts'), 'utf8')).toContain("include: ['tests/**/*.test.ts']");
    },
  },
  {
    // "Bad input of any kind exits with code 2 and prints nothing on stdout": every problem on stderr, by field.
    matches: (_, c) => statedExitCode(c) !== 0,
    timeoutMs: 60_000,
    check: async (c) => {
      const ran = await runChecked(c, 55_000);
      expect(ran.stdout).toBe('');
      expect(ran.stderr).toMatch(/^error: .*detail\.\S+: /m);
    },
  },
  {
    // The what-if: touchpoints with their paths, affected customers, in table, json or csv.
    matches: (w, c) => isImpact(w, 'assess') && !w.includes('--preview') && statedExitCode(c) === 0,
    timeoutMs: 60_000,
    check: async (c, words) => {
      const ran = await runChecked(c, 55_000);
      const expected = await expectedFirstNotices(AIRLINE, [JSON.parse(readFileSync(file(optionOf(words, '--event')!), 'utf8'))], Date.now());
      const format = optionOf(words, '--format') ?? 'table';
      if (format === 'json') {
        const a = JSON.parse(ran.stdout);
        expect(Object.keys(a)).toEqual(['subject', 'touchpoints', 'customers', 'unknownNodes', 'summary']);
        expect(a.customers).toHaveLength(expected.affected);
        expect(
          new Map(a.customers.filter((x: { notify: string[] }) => x.notify.length > 0).map((x: { id: string; notify: string[] }) => [x.id, x.notify[0]])),
        ).toEqual(expected.channel);
        expect(a.touchpoints.every((t: { path: string[]; id: string }) => t.path.at(-1) === t.id)).toBe(true);
      } else if (format === 'csv') {
        const lines = ran.stdout.trim().split('\n');
        expect(lines[0]).toBe('id,effect,touchpoints,notify,to,segment,locale');
        expect(lines).toHaveLength(expected.affected + 1);
      } else {
        expect(ran.stdout).toContain(`Customers affected: ${expected.affected}`);
        expect(ran.stdout).toMatch(/Touchpoints hit: [1-9]/);
        expect(ran.stdout).toMatch(/ -> /);
        expect(ran.stdout).toMatch(/unreachable: +\d+/);
      }
    },
  },
  {
    // "--preview: what customers would get first ... per kind, locale, channel and effect of the customers it hits,
    // with how many get each text; --locale renders them all in one language".
    matches: (w, c) => isImpact(w, 'assess') && w.includes('--preview') && statedExitCode(c) === 0,
    timeoutMs: 60_000,
    check: async (c, words) => {
      const ran = await runChecked(c, 55_000);
      const expected = await expectedFirstNotices(AIRLINE, [JSON.parse(readFileSync(file(optionOf(words, '--event')!), 'utf8'))], Date.now());
      const [, texts, customers] = ran.stdout.match(/what customers would be told first \((\d+) texts? for (\d+) customers?\)/) ?? [];
      expect(Number(customers)).toBe(expected.channel.size);
      const heads = [...ran.stdout.matchAll(/^(\S+) in (\S+), (outage|degraded), to (\d+) customers? \(e\.g\. (\S+)\), from templates\/(\w+)\/\S+\.md$/gm)];
      expect(heads).toHaveLength(Number(texts));
      // Every reachable customer is in exactly one text's count (one locale asked for), each sample one of them.
      expect(heads.reduce((n, h) => n + Number(h[4]), 0)).toBe(expected.channel.size);
      expect(heads.every((h) => h[1] === 'change-notice' && expected.channel.has(h[5]))).toBe(true);
      const locale = optionOf(words, '--locale');
      if (locale) expect(heads.every((h) => h[2] === locale && h[6] === locale.split('-')[0])).toBe(true);
    },
  },
  {
    // "impact templates check": the shipped templates pass, every locale folder counted.
    matches: (w, c) => isImpact(w, 'templates', 'check') && statedExitCode(c) === 0,
    timeoutMs: 60_000,
    check: async (c) => {
      const ran = await runChecked(c, 55_000);
      const locales = readdirSync(file('templates'), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
      expect(locales.length).toBeGreaterThanOrEqual(5);
      expect(ran.stdout).toMatch(new RegExp(`^valid: \\d+ templates in ${locales.length} locales \\(${locales.join(', ')}\\) for \\d+ kinds`));
    },
  },
  {
    // "impact templates preview": what a customer would get on the channel asked for, from the locale's file (nl-BE -> nl -> en).
    matches: (w) => isImpact(w, 'templates', 'preview'),
    timeoutMs: 60_000,
    check: async (c, words) => {
      const ran = await runChecked(c, 55_000);
      const [kind, locale, channel] = [optionOf(words, '--kind')!, optionOf(words, '--locale')!, optionOf(words, '--channel')];
      const language = locale.split('-')[0];
      expect(ran.stdout.split('\n')[0]).toBe(
        `${kind} in ${language}${language === locale ? '' : ` (asked for ${locale})`}, from templates/${language}/${kind}.md`,
      );
      if (channel === 'sms') expect(ran.stdout).toMatch(/^sms \((GSM-7|UCS-2), [12] parts?, \d+ characters\)$/m);
      if (channel) expect(ran.stdout.match(/^(email|sms|push)\b/gm)).toEqual([channel]);
    },
  },
  {
    // "Check a graph before using it": it prints what it counted.
    matches: (w) => isImpact(w, 'graph', 'validate'),
    timeoutMs: 60_000,
    check: async (c) => {
      const ran = await runChecked(c, 55_000);
      const customers = readFileSync(file('examples/airline/customers.csv'), 'utf8').trim().split('\n').length - 1;
      const usages = readFileSync(file('examples/airline/usage.csv'), 'utf8').trim().split('\n').length - 1;
      expect(ran.stdout).toMatch(new RegExp(`^valid: \\d+ components, \\d+ touchpoints, \\d+ notification channels, ${customers} customers, ${usages} usages`));
    },
  },
  {
    // "regenerates the airline's 10,000 customers deterministically (the same bytes every time)".
    matches: (w) => w.includes('examples/airline/generate.ts'),
    timeoutMs: 60_000,
    check: async (c) => {
      const before = ['customers.csv', 'usage.csv'].map((f) => readFileSync(file(`examples/airline/${f}`)));
      await runChecked(c, 55_000);
      const after = ['customers.csv', 'usage.csv'].map((f) => readFileSync(file(`examples/airline/${f}`)));
      expect(after.map((b, i) => b.equals(before[i]))).toEqual([true, true]);
    },
  },
  {
    // `impact send FILE`: the event goes on the local endpoint; notices reach the outbox.
    matches: (w) => isImpact(w, 'send') && w[3]?.endsWith('.json'),
    timeoutMs: 360_000,
    check: async (c, words) => {
      const at = Date.now();
      const ran = await runChecked(c, 30_000);
      expect(ran.stdout).toMatch(/^event 0: accepted as \S+/);
      const raw = JSON.parse(readFileSync(file(words[3]), 'utf8'));
      await expectNotified(await expectedFirstNotices(AIRLINE, Array.isArray(raw) ? raw : [raw], at));
    },
  },
  {
    // `impact send change-scheduled --node ... --start ... --end ...`: a change built from flags.
    matches: (w) => isImpact(w, 'send', 'change-scheduled') && optionOf(w, '--notify') !== 'draft',
    timeoutMs: 360_000,
    check: async (c, words) => {
      const at = Date.now();
      const known = new Set(customerNotices().map((m) => m.message.subject));
      await runChecked(c, 30_000);
      const subjectKey = await waitFor(
        'the new change to reach the outbox',
        () =>
          customerNotices()
            .map((m) => m.message.subject)
            .find((s) => s.startsWith('change#') && !known.has(s)),
        120_000,
      );
      const detail = {
        changeId: subjectKey.slice('change#'.length),
        title: 'Planned change',
        window: { start: optionOf(words, '--start'), end: optionOf(words, '--end') },
        impacts: [{ node: optionOf(words, '--node') }],
      };
      await expectNotified(await expectedFirstNotices(AIRLINE, [{ 'detail-type': 'Change Scheduled', detail }], at));
    },
  },
  {
    // "--notify draft: the notices are planned and held, not sent; the held plan is kept as counts per kind ...
    // GET /api/drafts, and held in GET /api/subjects/change/CHG-3001" (with every text).
    matches: (w) => isImpact(w, 'send', 'change-scheduled') && optionOf(w, '--notify') === 'draft',
    timeoutMs: 360_000,
    check: async (c, words) => {
      const at = Date.now();
      const id = optionOf(words, '--change')!;
      await runChecked(c, 30_000);
      const draft = await waitFor(
        `change#${id} in GET /api/drafts`,
        async () => {
          const { drafts } = (await fetch(`${API}/api/drafts`).then((r) => r.json())) as {
            drafts: { subjectKey: string; byKind: Record<string, number>; customers: number; unreachable: number }[];
          };
          return drafts.find((d) => d.subjectKey === `change#${id}`);
        },
        120_000,
      );
      const detail = {
        changeId: id,
        title: 'Planned change',
        window: { start: optionOf(words, '--start'), end: optionOf(words, '--end') },
        impacts: [{ node: optionOf(words, '--node') }],
      };
      const expected = await expectedFirstNotices(AIRLINE, [{ 'detail-type': 'Change Scheduled', detail }], at);
      expect(draft).toMatchObject({
        byKind: { 'change-notice': expected.affected },
        customers: expected.affected,
        unreachable: expected.affected - expected.channel.size,
      });
      const view = await fetch(`${API}/api/subjects/change/${id}`).then((r) => r.json());
      expect(view.held.previews.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(expected.channel.size);
      expect(customerNotices(`change#${id}`)).toEqual([]);
    },
  },
  {
    // "notices-approved: everything due is sent": the draft's first notices go out, to exactly those it hits.
    matches: (w) => isImpact(w, 'send', 'notices-approved'),
    timeoutMs: 360_000,
    check: async (c, words) => {
      const at = Date.now();
      const subjectKey = optionOf(words, '--subject')!;
      const [type, id] = subjectKey.split('#');
      const ran = await runChecked(c, 30_000);
      expect(ran.stdout).toMatch(/^event 0: accepted as \S+/);
      const { state } = await fetch(`${API}/api/subjects/${type}/${id}`).then((r) => r.json());
      const detail = {
        changeId: id,
        title: state.title ?? id,
        window: { start: new Date(state.window.start).toISOString(), end: new Date(state.window.end).toISOString() },
        impacts: state.impacts,
      };
      await expectNotified(await expectedFirstNotices(AIRLINE, [{ 'detail-type': 'Change Scheduled', detail }], at));
      const { drafts } = (await fetch(`${API}/api/drafts`).then((r) => r.json())) as { drafts: { subjectKey: string }[] };
      expect(drafts.map((d) => d.subjectKey)).not.toContain(subjectKey);
      const { history } = await fetch(`${API}/api/subjects/${type}/${id}`).then((r) => r.json());
      expect(history.at(-1)).toMatchObject({ detailType: 'Notices Approved', actor: { type: 'person', source: 'impact-cli' } });
    },
  },
  {
    // `aws events put-events --endpoint-url http://127.0.0.1:4010 ...`: the AWS CLI, unchanged, against the local bus.
    matches: (w) => w[0] === 'aws' && w[1] === 'events' && w[2] === 'put-events',
    timeoutMs: 360_000,
    check: async (c, words) => {
      const at = Date.now();
      const ran = await runChecked(c, 60_000);
      const answer = JSON.parse(ran.stdout);
      expect(answer.FailedEntryCount).toBe(0);
      // Entries inline, or `file://<path>` as the AWS CLI reads them; AWS Health events as ingest maps them.
      const given = optionOf(words, '--entries')!;
      const entries = JSON.parse(given.startsWith('file://') ? readFileSync(file(given.slice('file://'.length)), 'utf8') : given) as {
        Source: string;
        DetailType: string;
        Detail: string;
      }[];
      const events = (await Promise.all(entries.map((e) => pipelineEventsOfEntry(e, at, AIRLINE, file('impact.local.json'))))).flat();
      const expected = await expectedFirstNotices(AIRLINE, events, at);
      await expectNotified(expected);
      // The console's view of the subject: its customers, and the notices sent by kind.
      const [type, id] = expected.subjectKey.split('#');
      const view = await waitFor(
        'the subject view to count every notice',
        async () => {
          const v = await fetch(`${API}/api/subjects/${type}/${id}`).then((r) => r.json());
          return v.noticesByKind?.[`${type}-notice`] >= expected.due.length && v;
        },
        60_000,
      );
      expect(view.summary.customers).toBe(expected.affected);
    },
  },
  {
    // "Intake from your tools": a tool's webhook posted to the local intake answers 202 with the events its
    // pure mapper gives (computed here, offline), and those reach the customers as any event does.
    matches: (w) => w[0] === 'curl' && w.some((x) => x.startsWith(`${API}/api/intake/`)),
    timeoutMs: 360_000,
    check: async (c, words) => {
      const at = Date.now();
      const url = words.find((x) => x.startsWith(`${API}/api/intake/`))!;
      const source = url.slice(`${API}/api/intake/`.length) as IntakeSource;
      const payload = JSON.parse(readFileSync(file(optionOf(words, '--data')!.replace(/^@/, '')), 'utf8'));
      const ran = await runChecked(c, 30_000);
      const answer = JSON.parse(ran.stdout);
      const events = await intakeEventsOf(source, payload, AIRLINE, file('impact.local.json'));
      expect(answer).toMatchObject({ accepted: true, source, unknownNames: [] });
      expect(answer.events.map((e: { eventId: string }) => e.eventId)).toEqual(events.map((e) => e.detail.eventId));
      await expectNotified(await expectedFirstNotices(AIRLINE, events, at));
    },
  },
  {
    // "Load or update the graph (a diff: only changed items are written)": the graph npm start loaded is the same one.
    matches: (w) => isImpact(w, 'graph', 'import'),
    timeoutMs: 360_000,
    check: async (c) => {
      const ran = await runChecked(c, 170_000);
      expect(ran.stdout).toMatch(/^graph version \d+: 0 written, 0 deleted, \d+ unchanged; contacts 0 written, 0 deleted/);
    },
  },
  {
    // "Rebuild every projection ... it reports what changed and sends nothing".
    matches: (w) => isImpact(w, 'replay'),
    timeoutMs: 120_000,
    check: async (c, words) => {
      const sent = outbox().length;
      const ran = await runChecked(c, 110_000);
      const subject = optionOf(words, '--subject');
      const subjects = new Set(customerNotices().map((m) => m.message.subject));
      expect(ran.stdout).toMatch(new RegExp(`replayed ${subject ? 1 : subjects.size} subject\\(s\\) from \\d+ event\\(s\\); \\d+ projection\\(s\\) changed`));
      await new Promise((r) => setTimeout(r, 3_000));
      expect(outbox().length).toBe(sent);
    },
  },
];

beforeAll(() => {
  // What a clone holds: the tracked files (as they are in the work tree, so the README under edit is the one run).
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const path of tracked) {
    if (!existsSync(join(ROOT, path))) continue; // deleted in the work tree, not yet committed
    mkdirSync(dirname(join(clone, path)), { recursive: true });
    cpSync(join(ROOT, path), join(clone, path));
  }
});

afterAll(async () => {
  // Whatever is left of npm start's process group (its DynamoDB Local included) goes with it.
  if (runtime) {
    try {
      process.kill(-runtime.child.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    await runtime.exited;
  }
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('README.md, run as written from a fresh clone', () => {
  it('has commands to run, none with a placeholder, each one covered by what the README promises of it', () => {
    expect(commands.length).toBeGreaterThan(10);
    for (const c of commands) {
      expect(c.command, `README.md:${c.line}`).not.toMatch(/<[a-z-]+>|\[--[^\]]*\]/);
      expect(PROMISES.filter((p) => p.matches(shellWords(c.command), c)).length, `README.md:${c.line}: ${c.command}`).toBe(1);
    }
  });

  for (const c of commands) {
    const words = shellWords(c.command);
    const promise = PROMISES.find((p) => p.matches(words, c));
    it(
      `${c.section} (README.md:${c.line}): ${c.command.length > 110 ? `${c.command.slice(0, 107)}...` : c.command}`,
      async () => {
        expect(promise, 'a README command no test knows what to expect of').toBeDefined();
        await promise!.check(c, words);
      },
      (promise?.timeoutMs ?? 60_000) + 5_000,
    );
  }

  it('Ctrl-C stops npm start; a restart starts at once, resumes where it stopped and sends nothing twice', async () => {
    expect(runtime, 'the README starts npm start').toBeDefined();
    const sent = customerNotices().length;
    await interrupt(runtime!);
    expect(runtime!.output()).toContain('stopping...');
    expect(() => localDynamoDbEndpoint(file('.impact'))).toThrow(/no running `npm start`/);

    const started = Date.now();
    runtime = startRuntime('npm start');
    const r = runtime;
    await waitFor(
      'the restarted npm start',
      () => {
        if (r.child.exitCode !== null) throw new Error(`npm start exited (${r.child.exitCode}): ${r.output()}`);
        return r.output().includes('running locally');
      },
      60_000,
    );
    // "later runs start at once": no import (the first one takes minutes); a minute allows for a loaded machine.
    expect(r.output()).not.toContain('first run');
    expect(Date.now() - started).toBeLessThan(60_000);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(customerNotices().length).toBe(sent);
    await interrupt(r);
  }, 180_000);
});
