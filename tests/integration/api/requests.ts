/** API Gateway HTTP API (payload 2.0) events for the api handler, as the JWT authorizer hands them over. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { buildApiHandler } from '../../../functions/handlers/api.ts';
import { context } from '../../support/pipeline.ts';

export interface CallOptions {
  body?: unknown;
  /** The caller's Cognito groups (default admin); null sends no authorizer context at all. */
  groups?: string[] | null;
  /** Further claims of the caller's token (`sub` is u-1 unless given), e.g. `email`. */
  claims?: Record<string, string>;
  /** Default application/json for requests with a body; null sends none. */
  contentType?: string | null;
  base64?: boolean;
  /** More request headers (an intake signature, an Authorization header). */
  headers?: Record<string, string>;
  /** API Gateway's request id (default r-1). */
  requestId?: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

export const apiEvent = (method: string, path: string, options: CallOptions = {}): APIGatewayProxyEventV2 => {
  const [rawPath, rawQueryString = ''] = path.split('?');
  const text = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const contentType = options.contentType === undefined ? (text === undefined ? undefined : 'application/json') : options.contentType;
  const groups = options.groups === undefined ? ['admin'] : options.groups;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...options.headers },
    ...(rawQueryString ? { queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) } : {}),
    ...(text === undefined ? {} : { body: options.base64 ? Buffer.from(text).toString('base64') : text }),
    isBase64Encoded: !!options.base64,
    requestContext: {
      http: { method, path: rawPath },
      requestId: options.requestId ?? 'r-1',
      // HTTP APIs pass array claims as one bracketed, space-separated string.
      ...(groups ? { authorizer: { jwt: { claims: { sub: 'u-1', ...options.claims, 'cognito:groups': `[${groups.join(' ')}]` }, scopes: null } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
};

export const caller =
  (api: ReturnType<typeof buildApiHandler>) =>
  async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const res = (await api(apiEvent(method, path, options), context)) as APIGatewayProxyStructuredResultV2;
    return { status: res.statusCode ?? 200, headers: res.headers as Record<string, string>, body: JSON.parse(String(res.body)) };
  };
