/** The support console in Chromium (playwright-core over the system's /usr/bin/chromium) on a local runtime of its own. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startLocalRuntime, type LocalRuntime } from '../../lib/local/runtime.ts';

/** How long to wait for what follows an API call under the load of a full test run (vitest's default is 1 s). */
export const API_WAIT = { timeout: 10_000 };

/** A headless Chromium set up to start fast and stay quiet on a shared machine (CHROMIUM_PATH overrides the binary). */
const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });

export interface ConsoleUnderTest {
  runtime: LocalRuntime;
  browser: Browser;
  /** A desktop-sized page, not yet on the console. */
  page: Page;
  stop(): Promise<void>;
}

/** A local runtime in memory on free ports, seeded with one graph file (YAML text), and Chromium beside it. */
export const startConsole = async (graph: string): Promise<ConsoleUnderTest> => {
  const dir = mkdtempSync(join(tmpdir(), 'impact-browser-'));
  writeFileSync(join(dir, 'graph.yaml'), graph);
  const [started, launched] = await Promise.allSettled([
    startLocalRuntime({
      dataDir: join(dir, 'data'),
      eventsPort: 0,
      apiPort: 0,
      inMemory: true,
      seed: { graphFiles: [join(dir, 'graph.yaml')] },
      log: () => {},
    }),
    launchChromium(),
  ]);
  // One of the two failing leaves no DynamoDB Local or Chromium of the other behind.
  if (started.status === 'rejected' || launched.status === 'rejected') {
    if (started.status === 'fulfilled') await started.value.stop();
    if (launched.status === 'fulfilled') await launched.value.close();
    throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
  }
  const [runtime, browser] = [started.value, launched.value];
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  return {
    runtime,
    browser,
    page,
    stop: async () => {
      await browser.close();
      await runtime.stop();
    },
  };
};
