// What the alerting route modules share: the context (ApiContext plus AlertAdmin and the engine) and
// the role and scope checks. Channels and routes are shared by every project, so changing them needs a
// token that is not limited to one.
import type { FastifyRequest } from 'fastify';
import type { AlertAdmin, AlertEngine } from '../../alert/index.js';
import { OverseeError } from '../../errors.js';
import { globalRole, roleAtLeast, type Principal } from '../auth.js';
import { demandedRole, demandRole, type ApiContext } from './context.js';

/** The context of the alerting route modules. */
export interface AlertingContext extends ApiContext {
  readonly admin: AlertAdmin;
  readonly engine: AlertEngine | null;
}

/** Throws OVS_ERR_FORBIDDEN unless the caller has the demanded role in every project: `what` is shared by every project. */
export function needAllProjects(p: Principal, what: string): void {
  const global = globalRole(p.grants);
  if (global === null || !roleAtLeast(global, demandedRole(p))) {
    throw new OverseeError('OVS_ERR_FORBIDDEN', `${what} are shared by every project: this needs the ${demandedRole(p)} role in every project`);
  }
}

/**
 * Route options with an onRequest hook that answers 403 before validation unless the caller is an
 * editor (and, with `shared`, holds a token for every project: `shared` names what is shared).
 */
export function editorOnly(ctx: AlertingContext, shared?: string): { onRequest: (request: FastifyRequest) => Promise<void> } {
  return {
    onRequest: async (request) => {
      const p = ctx.principal(request);
      demandRole(p, 'editor');
      if (shared !== undefined) needAllProjects(p, shared);
    },
  };
}
