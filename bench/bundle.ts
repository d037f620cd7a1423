/**
 * `npm run bench -- bundle`: each Lambda function bundled as the stack bundles it (esbuild, ESM,
 * minified, node22), with its size. Target: under 1 MB each. Results: bench/results/bundle.json.
 */
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const HANDLERS = ['ingest', 'assess', 'notify', 'remind', 'api'];
const root = new URL('../', import.meta.url).pathname;
const rows: Record<string, { bytes: number; kib: number; underTarget: boolean }> = {};
for (const handler of HANDLERS) {
  const result = await build({
    entryPoints: [`${root}functions/handlers/${handler}.ts`],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    // As NodejsFunction does for nodejs22.x: the runtime provides the AWS SDK v3.
    external: ['@aws-sdk/*'],
    write: false,
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  });
  const bytes = result.outputFiles[0].contents.byteLength;
  rows[handler] = { bytes, kib: Math.round(bytes / 1024), underTarget: bytes < 1024 * 1024 };
}
console.table(rows);
writeFileSync(
  new URL('results/bundle.json', import.meta.url),
  `${JSON.stringify({ target: '1 MB', functions: rows, measuredAt: new Date().toISOString() }, null, 2)}\n`,
);
