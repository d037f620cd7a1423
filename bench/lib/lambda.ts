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
  name: 'assess' | 'plan' | 'notify';
  /** Which invocation of the function (a plan shard), when it runs more than once. */
  invocation?: string;
  memoryMb: number;
  timeoutSeconds: number;
  outcome: 'ok' | 'out of memory' | 'over memory (RSS)' | 'timed out' | 'failed';
  seconds: number;
  peakRssMb: number;
  note: string;
}

type Limits = { memoryMb: number; timeoutSeconds: number; environment: Record<string, string> };

/** MemorySize, Timeout and the pacing settings of each function as the stack deploys them. */
export const deployedLimits = (): Record<LambdaResult['name'], Limits> => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ImpactPipelineStack(app, 'ImpactPipeline', { env: { account: '123456789012', region: 'eu-west-1' }, config: DEFAULT_CONFIG });
  const functions = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  const limits = (prefix: string) => {
    const found = functions.find(([id]) => id.startsWith(prefix));
    if (!found) throw new Error(`no ${prefix} function in the synthesised stack`);
    const variables = (found[1].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    // Only the plain settings (pacing): table names, queues and topics are the bench's own.
    const environment = Object.fromEntries(
      ['SNS_MESSAGES_PER_SECOND', 'NOTIFY_CONCURRENCY'].filter((k) => typeof variables[k] === 'string').map((k) => [k, variables[k] as string]),
    );
    return { memoryMb: found[1].Properties.MemorySize as number, timeoutSeconds: found[1].Properties.Timeout as number, environment };
  };
  return { assess: limits('Assess'), plan: limits('Plan'), notify: limits('Notify') };
};

const invoke = (name: LambdaResult['name'], { environment, ...limits }: Limits, endpoint: string, jobsFile: string, shard?: number): Promise<LambdaResult> =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${limits.memoryMb}`,
        new URL('lambda-invoke.ts', import.meta.url).pathname,
        name,
        jobsFile,
        ...(shard === undefined ? [] : [String(shard)]),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...environment,
          AWS_ENDPOINT_URL_DYNAMODB: endpoint,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          POWERTOOLS_LOG_LEVEL: 'WARN',
          POWERTOOLS_METRICS_DISABLED: 'true',
          POWERTOOLS_TRACE_ENABLED: 'false',
          TIMEOUT_MS: String(limits.timeoutSeconds * 1000),
        },
      },
    );
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
      const note =
        code === 0
          ? (JSON.parse(report).note as string)
          : (
              stderr
                .trim()
                .split('\n')
                .filter((l) => !/^\s+at /.test(l))
                .slice(-3)
                .join(' / ') || `exit ${code}`
            ).slice(0, 300);
      resolve({ name, ...(shard === undefined ? {} : { invocation: `shard ${shard}` }), ...limits, outcome, seconds, peakRssMb, note });
    });
  });

/**
 * Runs assess on a fresh sev1 incident on infra-0, then plan on `planShards` of the planning jobs it
 * queued (each shard its own invocation; all of them, in order, when `planShards` is undefined: the
 * last one then completes the run's fan-in), then notify on a batch of the notice jobs plan queued.
 */
export const runLambdas = async (endpoint: string, planShards?: number): Promise<LambdaResult[]> => {
  const limits = deployedLimits();
  const jobsFile = join(mkdtempSync(join(tmpdir(), 'impact-lambda-')), 'jobs.json');
  const count = (file: string) => {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as unknown[]).length;
    } catch {
      return 0; // nothing was queued before the invocation stopped
    }
  };
  const results = [await invoke('assess', limits.assess, endpoint, jobsFile)];
  const shards = count(`${jobsFile}.plan`);
  for (let shard = 0; shard < Math.min(shards, planShards ?? shards); shard++) results.push(await invoke('plan', limits.plan, endpoint, jobsFile, shard));
  const notRun = (name: LambdaResult['name'], note: string): LambdaResult => ({
    name,
    memoryMb: limits[name].memoryMb,
    timeoutSeconds: limits[name].timeoutSeconds,
    outcome: 'failed',
    seconds: 0,
    peakRssMb: 0,
    note,
  });
  if (shards === 0) results.push(notRun('plan', 'not run: assess queued no planning job'));
  results.push(
    count(jobsFile) > 0 ? await invoke('notify', limits.notify, endpoint, jobsFile) : notRun('notify', 'not run: plan queued no notice job to hand it'),
  );
  return results;
};
