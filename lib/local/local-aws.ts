/**
 * Local stand-ins for AWS services as SDK clients: the client is the real one (its middleware stack,
 * retry strategy, validation and the adapter code above it all run as in Lambda), and the request,
 * instead of going over HTTP, is answered in-process by a handler per command. The handler sits at the
 * bottom of the stack, below the SDK's retries, where the transport would be: so a fault injected above
 * it (chaos.ts) meets the same retries and per-entry handling as a fault of the real service.
 */
import type { SNSClient } from '@aws-sdk/client-sns';

/** Answers a command's input with its output (throw for an error answer). */
export type LocalCommandHandler = (input: Record<string, unknown>) => Record<string, unknown>;

/** Credentials and region the SDK needs to build a request; nothing checks them. */
export const LOCAL_CLIENT = { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** The middleware stack every SDK v3 client has (typed loosely: each client has its own input and output types). */
export type Stack = { add: SNSClient['middlewareStack']['add']; addRelativeTo: SNSClient['middlewareStack']['addRelativeTo'] };
export const stackOf = (client: { middlewareStack: unknown }): Stack => client.middlewareStack as Stack;

/** A middleware as any client's stack takes it: `args.input` is the command's input, `output` its answer. */
export type Middleware = (
  next: (args: { input: unknown }) => Promise<{ output: unknown; response: unknown }>,
  context: { commandName?: string },
) => (args: { input: unknown }) => Promise<{ output: unknown; response: unknown }>;

/** Makes `client` answer the named commands locally; any other command is an error naming it. */
export const serveLocally = <C extends { middlewareStack: unknown }>(client: C, service: string, handlers: Record<string, LocalCommandHandler>): C => {
  const stack = stackOf(client);
  stack.add(
    (_next, context) => async () => {
      throw new Error(`local ${service} does not serve ${context.commandName}`);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'localServiceFallback' },
  );
  const serve: Middleware = (next, context) => async (args) => {
    const handler = handlers[context.commandName ?? ''];
    if (!handler) return next(args);
    const output = handler(args.input as Record<string, unknown>);
    return { output: { ...output, $metadata: { httpStatusCode: 200, requestId: 'local', attempts: 1, totalRetryDelay: 0 } }, response: {} };
  };
  stack.addRelativeTo(serve as never, { relation: 'before', toMiddleware: 'localServiceFallback', name: 'localService' });
  return client;
};
