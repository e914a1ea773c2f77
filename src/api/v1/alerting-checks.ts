// /api/v1/silences, /api/v1/checks/:id/ack|reduction, /api/v1/events (the alert feed) and
// /api/v1/notifications (delivery attempts). Project scope: a token limited to a project sees the
// silences of its project and the global ones, adds silences to its project only, removes only its
// project's, acts on its project's checks (others answer 404) and reads only its project's events.
// Delivery attempts carry no project, so they need a token for every project.
import type { FastifyInstance } from 'fastify';
import type { EventStatus, StoredSilence } from '../../alert/index.js';
import { OverseeError } from '../../errors.js';
import type { Principal } from '../auth.js';
import { globalRole, roleAtLeast } from '../auth.js';
import { editorOnly, needAllProjects, type AlertingContext } from './alerting-context.js';
import { ackBody, eventsQuery, notificationsQuery, reductionBody, silenceBody, silenceQuery } from './alerting-schemas.js';
import { canRead, canSee, demandedRole, resolveProjectScope, visibleOr404 } from './context.js';
import { idParams } from './schemas.js';

type IdParams = { Params: { id: number } };

interface EventsQuery { limit: number; cursor?: string; from?: number; to?: number; project?: string; check?: number; status?: EventStatus }
interface NotificationsQuery { limit: number; cursor?: string; from?: number; to?: number; channel?: string; event?: number }

/** Registers the silence, acknowledgement, reduction and feed routes. */
export function alertingCheckRoutes(app: FastifyInstance, ctx: AlertingContext): void {
  const tag = { tags: ['alerting'] };
  const editor = editorOnly(ctx);

  // The names of the projects where the caller has the demanded role, or null when it has it in every project.
  const scopeNames = async (p: Principal): Promise<Set<string> | null> => {
    const global = globalRole(p.grants);
    if (global !== null && roleAtLeast(global, demandedRole(p))) return null;
    return new Set((await ctx.store.projects.list()).filter((pr) => canSee(p, pr.id)).map((pr) => pr.name));
  };
  const visibleCheck = async (p: Principal, id: number): Promise<void> => {
    visibleOr404(p, await ctx.store.checks.get(id), `check ${id}`);
  };

  app.get<{ Querystring: { includeExpired: boolean } }>('/silences', {
    schema: { ...tag, summary: 'Silences (maintenance windows), without expired ones unless includeExpired', querystring: silenceQuery },
  }, async (request) => {
    const mine = await scopeNames(ctx.principal(request));
    const all = await ctx.admin.listSilences({ includeExpired: request.query.includeExpired });
    return { items: mine === null ? all : all.filter((s) => s.project === null || mine.has(s.project)) };
  });

  app.post<{ Body: Record<string, unknown> }>('/silences', {
    ...editor,
    schema: { ...tag, summary: 'Adds a silence; starts defaults to now', body: silenceBody },
  }, async (request, reply) => {
    const p = ctx.principal(request);
    const mine = await scopeNames(p);
    let body = request.body;
    if (mine !== null) {
      // Limited callers silence one of their projects: the one named, or their only one.
      const only = mine.size === 1 ? [...mine][0] : undefined;
      const wanted = body['project'] === undefined ? only : body['project'];
      if (typeof wanted !== 'string' || !mine.has(wanted)) {
        throw new OverseeError('OVS_ERR_FORBIDDEN', `project: you may silence only ${[...mine].map((n) => JSON.stringify(n)).join(', ') || 'no project'}`, { field: 'project' });
      }
      body = { ...body, project: wanted };
    } else if (typeof body['project'] === 'string' && (await ctx.store.projects.getByName(body['project'])) === null) {
      throw new OverseeError('OVS_ERR_VALIDATION', `project: no project ${JSON.stringify(body['project'])}`, { field: 'project' });
    }
    return reply.code(201).send(await ctx.admin.addSilence(body, p.name));
  });

  app.delete<IdParams>('/silences/:id', { ...editor, schema: { ...tag, params: idParams } }, async (request, reply) => {
    const p = ctx.principal(request);
    const mine = await scopeNames(p);
    if (mine !== null) {
      const all: StoredSilence[] = await ctx.admin.listSilences({ includeExpired: true });
      const silence = all.find((s) => s.id === request.params.id);
      if (silence === undefined || (silence.project !== null && !mine.has(silence.project))) {
        const project = silence?.project == null ? null : await ctx.store.projects.getByName(silence.project);
        if (project !== null && canRead(p, project.id)) {
          throw new OverseeError('OVS_ERR_FORBIDDEN', `silence ${request.params.id}: this needs the editor role in project ${JSON.stringify(project.name)}`);
        }
        throw new OverseeError('OVS_ERR_NOT_FOUND', `silence ${request.params.id} does not exist`);
      }
      if (silence.project === null) needAllProjects(p, 'silences without a project');
    }
    await ctx.admin.removeSilence(request.params.id);
    return reply.code(204).send();
  });

  app.post<IdParams & { Body: { comment?: string } }>('/checks/:id/ack', {
    ...editor,
    schema: { ...tag, summary: "Acknowledges a check's problem: no reminders until its state changes", params: idParams, body: ackBody },
    // A POST without a body acknowledges without a comment.
    preValidation: async (request) => { request.body ??= {}; },
  }, async (request) => {
    const p = ctx.principal(request);
    await visibleCheck(p, request.params.id);
    return ctx.admin.ack(request.params.id, p.name, request.body.comment ?? '');
  });

  app.delete<IdParams>('/checks/:id/ack', { ...editor, schema: { ...tag, summary: 'Removes an acknowledgement', params: idParams } }, async (request) => {
    const p = ctx.principal(request);
    await visibleCheck(p, request.params.id);
    return ctx.admin.unack(request.params.id);
  });

  app.put<IdParams & { Body: { reduction_s: number | null } }>('/checks/:id/reduction', {
    ...editor,
    schema: { ...tag, summary: "Sets a check's own reduction delay (null: the server default)", params: idParams, body: reductionBody },
  }, async (request) => {
    const p = ctx.principal(request);
    await visibleCheck(p, request.params.id);
    return ctx.admin.setReduction(request.params.id, request.body.reduction_s);
  });

  app.get<{ Querystring: EventsQuery }>('/events', {
    schema: { ...tag, summary: 'The alert feed, newest first: every event and what became of it', querystring: eventsQuery },
  }, async (request) => {
    const p = ctx.principal(request);
    const q = request.query;
    const scope = await resolveProjectScope(ctx, p, q.project);
    if (q.check !== undefined) {
      const check = await ctx.store.checks.get(q.check);
      if (check === null || !canSee(p, check.projectId)) throw new OverseeError('OVS_ERR_NOT_FOUND', `check: no check ${q.check}`, { field: 'check' });
    }
    // A caller of several projects (no filter) gets its projects' events, filtered in the store's query.
    return ctx.admin.events({
      limit: q.limit, cursor: q.cursor ?? null, from: q.from, to: q.to, checkId: q.check, status: q.status, ...scope,
    });
  });

  app.get<{ Querystring: NotificationsQuery }>('/notifications', {
    schema: { ...tag, summary: 'Delivery attempts, newest first', querystring: notificationsQuery },
  }, async (request) => {
    needAllProjects(ctx.principal(request), 'delivery attempts');
    const q = request.query;
    return ctx.admin.notifications({ limit: q.limit, cursor: q.cursor ?? null, from: q.from, to: q.to, channel: q.channel, eventId: q.event });
  });
}
