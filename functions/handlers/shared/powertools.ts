/** Powertools Logger, Metrics and Tracer: one of each per process, shared service name and namespace. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_NAMESPACE } from './environment.ts';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'impact';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE });
export const tracer = new Tracer({ serviceName, enabled: process.env.POWERTOOLS_TRACE_ENABLED !== 'false' && !!process.env.AWS_LAMBDA_FUNCTION_NAME });
