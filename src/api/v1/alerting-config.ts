// /api/v1/channels and /api/v1/routes: read by any role; created, replaced, enabled/disabled, deleted
// and tested by editors with a token for every project (channels and routes are shared by all projects).
// Reads never carry a secret: ChannelView redacts the type's secret fields, and header values of
// webhooks (often an Authorization or API key) are redacted here as well.
import type { FastifyInstance } from 'fastify';
import type { ChannelView } from '../../alert/index.js';
import { OverseeError } from '../../errors.js';
import { editorOnly, type AlertingContext } from './alerting-context.js';
import { channelCreateBody, channelReplaceBody, nameParams, routeCreateBody, routeReplaceBody } from './alerting-schemas.js';

/** Marker that replaces a secret value in every read. */
export const REDACTED = '***';

/** A channel as the API shows it: ChannelView with every header value redacted too. */
export function publicChannel(c: ChannelView): ChannelView {
  const headers = c.config['headers'];
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return c;
  const hidden = Object.fromEntries(Object.keys(headers).map((k) => [k, REDACTED]));
  return { ...c, config: { ...c.config, headers: hidden } };
}

type NameParams = { Params: { name: string } };

/** Registers the channel and route routes. */
export function alertingConfigRoutes(app: FastifyInstance, ctx: AlertingContext): void {
  const channelEditor = editorOnly(ctx, 'channels');
  const routeEditor = editorOnly(ctx, 'routes');
  const tag = { tags: ['alerting'] };

  app.get('/channels', { schema: { ...tag, summary: 'Notification channels (secrets redacted)' } }, async () => ({
    items: (await ctx.admin.listChannels()).map(publicChannel),
  }));

  app.get<NameParams>('/channels/:name', { schema: { ...tag, params: nameParams } }, async (request) =>
    publicChannel(await ctx.admin.getChannel(request.params.name)));

  app.post<{ Body: Record<string, unknown> }>('/channels', { ...channelEditor, schema: { ...tag, body: channelCreateBody } }, async (request, reply) => {
    return reply.code(201).send(publicChannel(await ctx.admin.createChannel(request.body)));
  });

  app.put<NameParams & { Body: Record<string, unknown> }>('/channels/:name', {
    ...channelEditor,
    schema: { ...tag, summary: 'Replaces a channel (give secrets again); re-enables it when the config changed', params: nameParams, body: channelReplaceBody },
  }, async (request) => {
    return publicChannel(await ctx.admin.updateChannel(request.params.name, request.body));
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post<NameParams>(`/channels/:name/${action}`, { ...channelEditor, schema: { ...tag, params: nameParams } }, async (request) => {
      return publicChannel(await ctx.admin.setChannelEnabled(request.params.name, enabled));
    });
  }

  app.delete<NameParams>('/channels/:name', { ...channelEditor, schema: { ...tag, params: nameParams } }, async (request, reply) => {
    await ctx.admin.deleteChannel(request.params.name);
    return reply.code(204).send();
  });

  const engine = ctx.engine;
  if (engine !== null) {
    app.post<NameParams>('/channels/:name/test', {
      ...channelEditor,
      schema: { ...tag, summary: 'Sends a test message now; answers {ok, error, permanent}', params: nameParams },
    }, async (request) => {
      await ctx.admin.getChannel(request.params.name); // 404 for an unknown name
      return engine.testChannel(request.params.name);
    });
  }

  app.get('/routes', { schema: { ...tag, summary: 'Routing rules in evaluation order' } }, async () => ({ items: await ctx.admin.listRoutes() }));

  app.get<NameParams>('/routes/:name', { schema: { ...tag, params: nameParams } }, async (request) => {
    const route = (await ctx.admin.listRoutes()).find((r) => r.name === request.params.name);
    if (route === undefined) throw new OverseeError('OVS_ERR_NOT_FOUND', `route "${request.params.name}" does not exist`);
    return route;
  });

  app.post<{ Body: Record<string, unknown> }>('/routes', { ...routeEditor, schema: { ...tag, body: routeCreateBody } }, async (request, reply) => {
    return reply.code(201).send(await ctx.admin.createRoute(request.body));
  });

  app.put<NameParams & { Body: Record<string, unknown> }>('/routes/:name', {
    ...routeEditor,
    schema: { ...tag, params: nameParams, body: routeReplaceBody },
  }, async (request) => {
    return ctx.admin.updateRoute(request.params.name, request.body);
  });

  app.delete<NameParams>('/routes/:name', { ...routeEditor, schema: { ...tag, params: nameParams } }, async (request, reply) => {
    await ctx.admin.deleteRoute(request.params.name);
    return reply.code(204).send();
  });
}
