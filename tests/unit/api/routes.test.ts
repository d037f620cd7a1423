import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../functions/handlers/api/http.ts';
import { matchRoute } from '../../../functions/handlers/api/router.ts';
import { API_ROUTES, pathParams, routeKey, whoMayCall } from '../../../functions/handlers/api/routes.ts';

const sample = (path: string) => path.replace(/\{[^}]+\}/g, (m) => `v-${m.slice(1, -1)}`);

describe('the HTTP route table', () => {
  it('names every route once', () => {
    const keys = API_ROUTES.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("each route's {params} are exactly the path parameters its handler reads", () => {
    for (const route of API_ROUTES) expect([...route.handler.paramNames].sort(), routeKey(route)).toEqual(pathParams(route.path).sort());
  });

  it('only the intake route goes without a role, and only because the tools sign it', () => {
    for (const route of API_ROUTES) expect(route.roles.length === 0, routeKey(route)).toBe(route.auth === 'intake-signature');
    expect(API_ROUTES.filter((r) => r.auth === 'intake-signature').map(routeKey)).toEqual(['POST /intake/{source}']);
  });

  it('only POST routes take a body, and every POST route does (so every one refuses non-JSON)', () => {
    for (const route of API_ROUTES) expect(route.handler.takesBody, routeKey(route)).toBe(route.method === 'POST');
  });

  it('a concrete path matches its own route and no other, with or without the /api prefix', () => {
    for (const route of API_ROUTES) {
      for (const prefix of ['', '/api']) {
        const match = matchRoute(route.method, `${prefix}${sample(route.path)}/`);
        expect(routeKey(match.route)).toBe(routeKey(route));
        expect(match.params).toEqual(Object.fromEntries(pathParams(route.path).map((p) => [p, `v-${p}`])));
      }
    }
  });

  it('path parameters are URL-decoded; paths longer or shorter than a route match nothing', () => {
    expect(matchRoute('GET', '/customers/C%201').params).toEqual({ id: 'C 1' });
    expect(() => matchRoute('GET', '/customers/C-1/impacts/more')).toThrow(ApiError);
    expect(() => matchRoute('GET', '/')).toThrow(/no route GET \//);
  });
});

describe('README', () => {
  it('its API table lists every route of the table with its roles, and no other', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `((?:GET|POST) [^`]+)` \| ([^|]+) \|/gm)].map(([, key, roles]) => `${key} | ${roles.trim()}`);
    expect(rows.sort()).toEqual(API_ROUTES.map((r) => `${routeKey(r)} | ${whoMayCall(r)}`).sort());
  });
});
