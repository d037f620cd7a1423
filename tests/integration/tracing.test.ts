import { afterEach, describe, expect, it, vi } from 'vitest';

const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';
const stackOf = (client: unknown) => (client as { middlewareStack: { identify(): string[] } }).middlewareStack.identify();

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('SDK clients of the Lambda handlers are traced', () => {
  it('in Lambda, every client the handlers use carries the X-Ray middleware (DynamoDB through the document client)', async () => {
    // Prepare: the tracer decides at import whether it runs, as it does at a Lambda cold start.
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'impact-test');
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
    vi.resetModules();
    const { tracedClients } = await import('../../functions/handlers/shared/dependencies.ts');
    // Act
    const clients = tracedClients();
    // Assess
    for (const [name, client] of Object.entries(clients))
      expect(
        stackOf(client).some((m) => m.startsWith(XRAY_MIDDLEWARE)),
        name,
      ).toBe(true);
    expect(Object.keys(clients).sort()).toEqual(['dynamodb', 'eventBridge', 'scheduler', 'sns', 'sqs']);
  });

  it('outside Lambda (tests, the local runtime) the clients are left as they are', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    vi.resetModules();
    const { tracedClients } = await import('../../functions/handlers/shared/dependencies.ts');
    for (const client of Object.values(tracedClients())) expect(stackOf(client).some((m) => m.startsWith(XRAY_MIDDLEWARE))).toBe(false);
  });
});
