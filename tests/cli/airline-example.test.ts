import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../examples/airline/generate.ts';
import { ROOT, impact } from '../support/cli.ts';

const airline = (name: string) => join(ROOT, 'examples/airline', name);
const withData = ['--graph', airline('graph.yaml'), '--customers', airline('customers.csv'), '--usage', airline('usage.csv')];

describe('the bundled airline example', () => {
  it('generate.ts reproduces the committed CSVs byte for byte', () => {
    const { customers, usage } = generate();
    expect(customers === readFileSync(airline('customers.csv'), 'utf8')).toBe(true);
    expect(usage === readFileSync(airline('usage.csv'), 'utf8')).toBe(true);
  });

  it('validates: at least 40 components, 15 touchpoints and about 10,000 customers', async () => {
    const { code, stdout } = await impact('graph', 'validate', airline('graph.yaml'), '--customers', airline('customers.csv'), '--usage', airline('usage.csv'));
    expect(code).toBe(0);
    const [, components, touchpoints, , customers] = stdout
      .match(/valid: (\d+) components, (\d+) touchpoints, (\d+) notification channels, (\d+) customers/)!
      .map(Number);
    expect(components).toBeGreaterThanOrEqual(40);
    expect(touchpoints).toBeGreaterThanOrEqual(15);
    expect(customers).toBe(10_000);
  });

  it('the README what-if: the payments change hits booking touchpoints and thousands of customers', async () => {
    const { code, stdout } = await impact('assess', ...withData, '--event', airline('events/change-scheduled.json'), '--format', 'json');
    expect(code).toBe(0);
    const a = JSON.parse(stdout);
    expect(a.touchpoints.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(['web-booking', 'app-booking']));
    expect(a.summary.customers).toBeGreaterThan(1000);
  });

  it('the redundant DCS pair: losing the primary alone reaches no touchpoint through the DCS', async () => {
    const { code, stdout } = await impact('assess', ...withData, '--event', airline('events/change-lifecycle.json'), '--format', 'json');
    expect(code).toBe(0);
    const a = JSON.parse(stdout);
    expect(a.touchpoints.map((t: { id: string }) => t.id)).toEqual(['bagdrop-ams', 'gate-ams', 'kiosk-ams', 'lounge-ams']);
    expect(a.touchpoints.every((t: { path: string[] }) => t.path[0] === 'net-ams')).toBe(true);
  });

  it('the incident reroutes notices away from the failed SMS gateway', async () => {
    const { stdout } = await impact('assess', ...withData, '--event', airline('events/incident-lifecycle.json'), '--format', 'json');
    const a = JSON.parse(stdout);
    expect(a.summary.customers).toBeGreaterThan(0);
    expect(a.customers.some((c: { notify: string[] }) => c.notify.includes('sms'))).toBe(false);
  });

  it('bad-event.json is rejected with exit code 2', async () => {
    const { code, stdout } = await impact('assess', '--graph', airline('graph.yaml'), '--event', airline('events/bad-event.json'));
    expect([code, stdout]).toEqual([2, '']);
  });
});
