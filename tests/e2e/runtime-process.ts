/**
 * `npm start` as a real child process, for the tests that must see what a user sees: a crash, a
 * kill -9, a port in use, and whether DynamoDB Local's java outlives the runtime.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;

export interface RuntimeProcess {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Spawns lib/local/start.ts with these flags (and environment variables); resolves once it prints that it runs, rejects if it exits first. */
export const startRuntime = async (args: string[], env: Record<string, string> = {}): Promise<RuntimeProcess> => {
  const proc = spawn(process.execPath, [join(ROOT, 'lib/local/start.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', () => out.includes('running locally') && resolve());
    void exited.then((code) => reject(new Error(`runtime exited (${code}): ${out}`)));
  });
  return { proc, output: () => out, exited };
};

/** Runs start.ts to its exit (for runs that must fail at start) and returns its exit code and output. */
export const runToExit = (args: string[], timeoutMs = 60_000): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(ROOT, 'lib/local/start.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`start.ts still running after ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });

/** Pids of java processes whose command line names this directory (DynamoDB Local's -dbPath). */
export const javaProcessesFor = (dir: string): number[] =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return /(^|\/)java$/.test(args[0]) && args.some((a) => a.includes(dir)) ? [Number(pid)] : [];
      } catch {
        return []; // gone while we looked
      }
    });

export const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** Stops java processes a test run left behind (by pid, only those naming the test's own directory). */
export const killJavaFor = (dir: string): void => {
  for (const pid of javaProcessesFor(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
