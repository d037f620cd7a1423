/**
 * The handlers' environment variable names and metrics namespace, defined where the handlers read
 * them (functions/handlers/shared/environment.ts): functions/ never imports lib/. Re-exported here for
 * the stack and its constructs.
 */
export { ENV, METRICS_NAMESPACE, type EnvName } from '../functions/handlers/shared/environment.ts';
