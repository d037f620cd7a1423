/**
 * Dispatch by the route table: match the path, check the caller's role, run the handler, and turn what
 * it returns or throws into an HTTP answer. Unknown paths are 404, a known path with another method 405.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authorize, callerOf } from './access.ts';
import type { ApiDependencies } from './endpoint.ts';
import { ApiError, errorResponse, respond } from './http.ts';
import { API_ROUTES, pathParams, routeKey, type ApiRoute } from './routes.ts';

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
  names: string[];
}

const compile = (route: ApiRoute): CompiledRoute => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
  names: pathParams(route.path),
});

const COMPILED = API_ROUTES.map(compile);

const decode = (segment: string, name: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new ApiError('bad-request', 'bad request', {
      cause: error,
      problems: [
        { field: name, value: segment, message: `${JSON.stringify(segment)} is not a valid URL-encoded path segment; encode it with encodeURIComponent` },
      ],
    });
  }
};

export interface Match {
  route: ApiRoute;
  params: Record<string, string>;
}

/** The route for a method and path (with or without the local runtime's `/api` prefix). */
export const matchRoute = (method: string, rawPath: string): Match => {
  const path = rawPath.replace(/^\/api(?=\/)/, '').replace(/\/+$/, '') || '/';
  const candidates = COMPILED.flatMap((c) => {
    const m = c.pattern.exec(path);
    return m ? [{ c, values: m.slice(1) }] : [];
  });
  const hit = candidates.find(({ c }) => c.route.method === method);
  if (!hit) {
    if (candidates.length > 0) {
      const allowed = candidates.map(({ c }) => c.route.method);
      throw new ApiError('method-not-allowed', `${method} is not allowed on ${path}; use ${allowed.join(' or ')}`, { headers: { allow: allowed.join(', ') } });
    }
    throw new ApiError('not-found', `no route ${method} ${path}; the routes are ${API_ROUTES.map(routeKey).join(', ')}`);
  }
  return { route: hit.c.route, params: Object.fromEntries(hit.c.names.map((name, i) => [name, decode(hit.values[i], name)])) };
};

export interface Failure {
  error: unknown;
  where: string;
}

/** Answers one request; errors that are not ApiErrors become a 500 and are reported to `onFailure` (for the log). */
export const dispatch = async (
  deps: ApiDependencies,
  event: APIGatewayProxyEventV2,
  onFailure: (failure: Failure) => void,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const method = event.requestContext?.http?.method ?? 'GET';
  let where = `${method} ${event.rawPath}`;
  try {
    const { route, params } = matchRoute(method, event.rawPath ?? '/');
    where = routeKey(route);
    // Intake routes are signed by the tool instead (no caller); the route checks the signature over the raw body.
    const caller = route.auth === 'intake-signature' ? undefined : authorize(callerOf(event, deps), route.roles, where);
    const query = (event.queryStringParameters ?? {}) as Record<string, string | undefined>;
    const body = await route.handler.run({ event, params, query, where, caller }, deps);
    return respond(route.handler.status, body);
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    onFailure({ error, where });
    return errorResponse(
      new ApiError(
        'internal',
        `${where} failed inside the API (request ${event.requestContext?.requestId ?? 'unknown'}); try again, and tell the platform team if it persists`,
      ),
    );
  }
};
