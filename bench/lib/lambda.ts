/**
 * The deployed functions' limits, tried on one machine (`npm run bench -- e2e --lambda`): each handler
 * runs in its own Node process started with `--max-old-space-size` set to the function's memory and
 * ended at its timeout, both read from the synthesised stack (lib/stack.ts, bundling skipped). The
 * process is a Lambda invocation as far as the handler can tell: the module's exported `handler`, its
 * environment built the way the stack builds it, DynamoDB (Local) for real, SQS/SNS/EventBridge/
 * Scheduler through the real SDK clients answered by aws-sdk-client-mock (bench/lib/lambda-invoke.ts).
 * Limits of the likeness: Lambda caps the whole process (RSS), V8's flag caps only its heap, so the
 * peak RSS is reported beside it and counted as over memory when it exceeds the function's memory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_CONFIG, ImpactPipelineStack } from '../../lib/stack.ts';
import { memoryMb } from './procs.ts';

export interface LambdaResult {
  name: 'assess' | 'notify';
  memoryMb: number;
  timeoutSeconds: number;
  outcome: 'ok' | 'out of memory' | 'over memory (RSS)' | 'timed out' | 'failed';
  seconds: number;
  peakRssMb: number;
  note: string;
}

/** MemorySize and Timeout of each function as the stack deploys them. */
export const deployedLimits = (): Record<'assess' | 'notify', { memoryMb: number; timeoutSeconds: number }> => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ImpactPipelineStack(app, 'ImpactPipeline', { env: { account: '123456789012', region: 'eu-west-1' }, config: DEFAULT_CONFIG });
  const functions = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  const limits = (prefix: string) => {
    const found = functions.find(([id]) => id.startsWith(prefix));
    if (!found) throw new Error(`no ${prefix} function in the synthesised stack`);
    return { memoryMb: found[1].Properties.MemorySize as number, timeoutSeconds: found[1].Properties.Timeout as number };
  };
  return { assess: limits('Assess'), notify: limits('Notify') };
};

const invoke = (name: LambdaResult['name'], limits: { memoryMb: number; timeoutSeconds: number }, endpoint: string, jobsFile: string): Promise<LambdaResult> =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [`--max-old-space-size=${limits.memoryMb}`, new URL('lambda-invoke.ts', import.meta.url).pathname, name, jobsFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_TRACE_ENABLED: 'false', TIMEOUT_MS: String(limits.timeoutSeconds * 1000) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, memoryMb(child.pid!)?.peak ?? 0)), 200);
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), limits.timeoutSeconds * 1000);
    child.on('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      const seconds = +((Date.now() - started) / 1000).toFixed(1);
      const report = stdout.trim().split('\n').at(-1) ?? '';
      const peakRssMb = Math.round(Math.max(peak, code === 0 && report.startsWith('{') ? JSON.parse(report).maxRssMb : 0));
      const outcome: LambdaResult['outcome'] = timedOut
        ? 'timed out'
        : /heap out of memory|Allocation failed/.test(stderr)
          ? 'out of memory'
          : code !== 0
            ? 'failed'
            : peakRssMb > limits.memoryMb
              ? 'over memory (RSS)'
              : 'ok';
      const note = code === 0 ? (JSON.parse(report).note as string) : (stderr.trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-3).join(' / ') || `exit ${code}`).slice(0, 300);
      resolve({ name, ...limits, outcome, seconds, peakRssMb, note });
    });
  });

/** Runs assess on a fresh sev1 incident on infra-0, then notify on a batch of the jobs it queued. */
export const runLambdas = async (endpoint: string): Promise<LambdaResult[]> => {
  const limits = deployedLimits();
  const jobsFile = join(mkdtempSync(join(tmpdir(), 'impact-lambda-')), 'jobs.json');
  const assess = await invoke('assess', limits.assess, endpoint, jobsFile);
  let jobs = 0;
  try {
    jobs = JSON.parse(readFileSync(jobsFile, 'utf8')).length;
  } catch {
    // assess queued nothing before it stopped
  }
  const notify: LambdaResult =
    jobs > 0
      ? await invoke('notify', limits.notify, endpoint, jobsFile)
      : { name: 'notify', ...limits.notify, outcome: 'failed', seconds: 0, peakRssMb: 0, note: 'not run: assess queued no job to hand it' };
  return [assess, notify];
};
