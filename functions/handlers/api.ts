/**
 * api (HTTP API behind a JWT authorizer): what first-line support and change managers ask, and the tools'
 * webhooks (POST /intake/{source}, signed with the source's secret instead). The routes, who may call them
 * and their handlers are one table, functions/handlers/api/routes.ts (the README's API table lists it).
 * Bad input is a 400 naming every problem; unknown routes 404.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { ApiDependencies } from './api/endpoint.ts';
import { submitTo } from './api/events.ts';
import { dispatch } from './api/router.ts';
import { SecretsManagerCredentials } from '../adapters/intake-secrets.ts';
import { fromEnvironment, intakeSecretIdsFrom } from './shared/dependencies.ts';
import { ENV } from './shared/environment.ts';
import { logger, metrics, tracer } from './shared/powertools.ts';
import './shared/templates.ts';

export type { ApiDependencies } from './api/endpoint.ts';

export const buildApiHandler = (deps: ApiDependencies) =>
  middy(async (event: APIGatewayProxyEventV2, _context: Context) => {
    const answer = await dispatch(deps, event, ({ error, where }) => logger.error('api request failed', { route: where, error: error as Error }));
    // Only intake counts (accepted, ignored, rejected); the read routes emit nothing to flush.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    return answer;
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger));

const fromLambdaEnvironment = (): ApiDependencies => {
  const deps = fromEnvironment();
  const secrets = new SecretsManagerCredentials(tracer.captureAWSv3Client(new SecretsManagerClient({})), intakeSecretIdsFrom(process.env[ENV.intakeSecrets]));
  return { ...deps, submit: submitTo(deps.pipelineEvents), intake: { credentials: secrets, config: deps.settings.intake } };
};

let lazy: ReturnType<typeof buildApiHandler> | undefined;
export const handler = (event: APIGatewayProxyEventV2, context: Context) => (lazy ??= buildApiHandler(fromLambdaEnvironment()))(event, context);
