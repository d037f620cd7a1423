/**
 * What the benchmarks read of other processes, from /proc (Linux): a process tree, command lines and
 * memory. Peak memory is the kernel's own high-water mark (VmHWM), so no sample can miss a spike.
 */
import { readFileSync, readdirSync } from 'node:fs';

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process is gone
  }
};

export const commandLine = (pid: number): string[] => (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);

const parentOf = (pid: number): number | undefined => {
  const stat = read(`/proc/${pid}/stat`);
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
  return stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : undefined;
};

/** Every live descendant of a process. */
export const descendants = (root: number): number[] => {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentOf(Number(name));
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
};

/** The first descendant whose command line matches. */
export const findDescendant = (root: number, test: (args: string[]) => boolean): number | undefined => descendants(root).find((pid) => test(commandLine(pid)));

/** Resident and peak resident memory of a process in MB (undefined once it is gone). */
export const memoryMb = (pid: number): { rss: number; peak: number } | undefined => {
  const status = read(`/proc/${pid}/status`);
  if (!status) return undefined;
  const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};

/** CPU time a process has used so far (user + system, its threads included), in seconds. */
export const cpuSeconds = (pid: number): number | undefined => {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // Fields after "(comm)": state is the 1st, utime the 12th and stime the 13th, in clock ticks (USER_HZ, 100 on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
