import { existsSync, readFileSync } from 'node:fs';

/**
 * What a local runtime's outbox holds, read while the runtime appends to it: only whole lines count
 * (a last line without its newline is still being written, or was torn by a kill).
 */
export const outboxLines = (file: string): any[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .slice(0, -1)
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];
