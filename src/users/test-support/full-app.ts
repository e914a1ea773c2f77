// Test support for the write-route walks (viewer-cannot-write, project-roles): the app with every
// optional part, and valid example bodies for each route so a 400 cannot hide a missing role check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AlertAdmin, AlertEngine, DEFAULT_ALERT_SETTINGS } from '../../alert/index.js';
import { buildApp } from '../../server/app.js';
import { createSelfMetrics } from '../../server/self-metrics.js';
import { openSqliteAlertStore } from '../../store/sqlite/alerting.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.js';
import { openSqliteTsdbStorage } from '../../store/sqlite/tsdb-storage.js';
import { Tsdb } from '../../tsdb/index.js';

/** The app with every optional part (time-series store, alerting with its engine), so all routes exist. */
export async function fullApp(): Promise<{ app: FastifyInstance; store: SqliteStore; clock: { t: number; now(): number }; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-viewer-'));
  const store = await openSqliteStore({ path: join(dir, 'oversee.db') });
  const clock = { t: 1_700_000_000_000, now(): number { return clock.t; } };
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path: join(dir, 'tsdb.sqlite') }), clock, commitDelayMs: 0 });
  const alertStore = openSqliteAlertStore(store);
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const alerting = {
    admin: new AlertAdmin({ store, alertStore, clock }),
    engine: new AlertEngine({ store, alertStore, clock, logger: quiet, random: () => 1, settings: DEFAULT_ALERT_SETTINGS }),
  };
  const app = await buildApp({ store, tsdb, alerting, metrics: createSelfMetrics(), clock, logger: false, bodyLimit: 1024 * 1024, webRoot: null });
  await app.ready();
  return {
    app, store, clock,
    async close() {
      await app.close();
      await tsdb.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Valid bodies for undocumented routes that validate before they check the role. */
export const KNOWN_BODIES: Record<string, Record<string, unknown>> = {
  'POST /api/v1/rules': { kind: 'anomaly', check: 'x-viewer', metric: 'sys.cpu' },
  'POST /api/v1/routes': { name: 'x-viewer', channels: ['ops'] },
  'PUT /api/v1/routes/:name': { channels: ['ops'] },
  'POST /api/v1/channels': { name: 'x-viewer', type: 'webhook', url: 'http://127.0.0.1:9/' },
  'PUT /api/v1/channels/:name': { type: 'webhook', url: 'http://127.0.0.1:9/' },
  'POST /api/v1/silences': { duration_s: 60 },
  'POST /api/v1/samples': { samples: [{ metric: 'x.viewer', value: 1 }] },
};

/** Body for routes without a documented schema (the hidden dashboard routes accept these fields). */
export const DEFAULT_BODY = { name: 'x-viewer', password: 'correct horse', role: 'admin', spec: {}, projectId: null };

export interface JsonSchema {
  type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[];
  minimum?: number; minLength?: number; minItems?: number; items?: JsonSchema; default?: unknown; oneOf?: JsonSchema[]; anyOf?: JsonSchema[];
}
export interface OpenApi { paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>> }

/** A minimal value valid for `schema`: required properties only, enums' first value, minimums. */
export function exampleOf(schema: JsonSchema): unknown {
  const alt = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (alt !== undefined) return exampleOf(alt);
  if (schema.default !== undefined) return schema.default;
  if (schema.enum !== undefined) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const k of schema.required ?? []) out[k] = exampleOf(schema.properties?.[k] ?? {});
      return out;
    }
    case 'array': return Array.from({ length: schema.minItems ?? 0 }, () => exampleOf(schema.items ?? {}));
    case 'integer': case 'number': return Math.max(1, schema.minimum ?? 1);
    case 'boolean': return true;
    case 'string': return 'x'.repeat(Math.max(8, schema.minLength ?? 8));
    default: return {};
  }
}

/** The kind of object a route's :id refers to, from the path segment before it. */
export function objectOf(path: string): string {
  const seg = /\/(\w+)\/:id/.exec(path)?.[1] ?? 'checks';
  return ({ checks: 'check', hosts: 'host', projects: 'project', users: 'user', dashboards: 'dashboard', tokens: 'token', silences: 'silence', rules: 'rule' } as Record<string, string>)[seg] ?? 'check';
}
