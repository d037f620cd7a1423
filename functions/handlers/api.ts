/**
 * api (HTTP API behind a JWT authorizer): what first-line support and change managers ask. The routes,
 * who may call them and their handlers are one table, functions/handlers/api/routes.ts (the README's
 * API table lists it). Bad input is a 400 naming every problem; unknown routes 404.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { ApiDependencies } from './api/endpoint.ts';
import { submitTo } from './api/events.ts';
import { dispatch } from './api/router.ts';
import { fromEnvironment } from './shared/dependencies.ts';
import { logger, tracer } from './shared/powertools.ts';
import './shared/templates.ts';

export type { ApiDependencies } from './api/endpoint.ts';

export const buildApiHandler = (deps: ApiDependencies) =>
  middy((event: APIGatewayProxyEventV2, _context: Context) =>
    dispatch(deps, event, ({ error, where }) => logger.error('api request failed', { route: where, error: error as Error })),
  )
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger));

const fromLambdaEnvironment = (): ApiDependencies => {
  const deps = fromEnvironment();
  return { ...deps, submit: submitTo(deps.pipelineEvents) };
};

let lazy: ReturnType<typeof buildApiHandler> | undefined;
export const handler = (event: APIGatewayProxyEventV2, context: Context) => (lazy ??= buildApiHandler(fromLambdaEnvironment()))(event, context);
