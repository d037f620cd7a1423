/**
 * GET /me: who the console is signed in as and what they may do, so that it offers only what the API
 * will allow (the API enforces it anyway). Locally the caller is the local admin.
 */
import { PERMISSIONS, may, signedIn, type Permission, type Role } from './access.ts';
import { endpoint } from './endpoint.ts';

export interface MeView {
  /** The token's subject; `local` for the local runtime. */
  id?: string;
  roles: Role[];
  /** Whether the caller may read, schedule (POST /events) and approve held notices. */
  may: Record<Permission, boolean>;
}

export const me = endpoint({}, async (request): Promise<MeView> => {
  const caller = signedIn(request.caller, 'GET /me');
  return {
    ...(caller.id ? { id: caller.id } : {}),
    roles: caller.roles,
    may: Object.fromEntries(Object.keys(PERMISSIONS).map((p) => [p, may(caller, p as Permission)])) as Record<Permission, boolean>,
  };
});
