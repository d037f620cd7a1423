import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { impact } from '../support/cli.ts';

describe('impact replay / graph import --local: the DynamoDB Local of a running npm start', () => {
  it('with no npm start running for the data dir: exit code 2, the data dir named, what to do instead', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'impact-no-runtime-'));
    // Act
    const { code, stdout, stderr } = await impact('replay', '--local', dataDir);
    // Assess
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain(`no running \`npm start\` keeps its data in ${dataDir}`);
    expect(stderr).toMatch(/start it with `npm start`.*--endpoint URL/);
  });

  it('--local and --endpoint together: exit code 2, told to give one', async () => {
    const { code, stdout, stderr } = await impact('replay', '--local', '--endpoint', 'http://127.0.0.1:1');
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toContain('--local and --endpoint both name a DynamoDB: give one of them');
  });
});
