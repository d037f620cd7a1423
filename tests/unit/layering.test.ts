import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every module specifier of a source file: static and type imports, re-exports, dynamic imports. */
const specifiers = (source: string): string[] => [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|js|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );

/** The relative imports of one file (path relative to the repository root) that resolve into `into`. */
const importsInto = (into: string, file: string, source: string): string[] =>
  specifiers(source).filter((s) => s.startsWith('.') && !relative(join(ROOT, into), resolve(dirname(join(ROOT, file)), s)).startsWith('..'));

describe('layering: runtime code does not depend on the infrastructure that deploys it', () => {
  it('no file under functions/ imports anything under lib/', () => {
    const offending = sourceFiles(join(ROOT, 'functions')).flatMap((path) => {
      const file = relative(ROOT, path);
      return importsInto('lib', file, readFileSync(path, 'utf8')).map((s) => `${file} imports ${s}`);
    });
    expect(offending).toEqual([]);
  });

  it('the domain imports no adapter and no handler: business rules run without AWS, files or environment', () => {
    const offending = sourceFiles(join(ROOT, 'functions/domain')).flatMap((path) => {
      const file = relative(ROOT, path);
      const source = readFileSync(path, 'utf8');
      return [...importsInto('functions/adapters', file, source), ...importsInto('functions/handlers', file, source)].map((s) => `${file} imports ${s}`);
    });
    expect(offending).toEqual([]);
  });

  it('the check sees every import form, so a lib/ import cannot slip past it', () => {
    const file = 'functions/handlers/shared/dependencies.ts';
    const forms = [
      "import { ENV } from '../../../lib/environment.ts';",
      "import type { Route } from '../../../lib/routes.ts';",
      "export { TABLES } from '../../../lib/tables.ts';",
      "const m = await import('../../../lib/tables.ts');",
      "import '../../../lib/local/start.ts';",
      "import {\n  USAGE_SHARDS,\n} from '../../../lib/tables.ts';",
    ];
    for (const form of forms) expect(importsInto('lib', file, form), form).toHaveLength(1);
    expect(importsInto('lib', file, "import { ENV } from './environment.ts';\nimport { z } from 'zod';")).toEqual([]);
  });
});
