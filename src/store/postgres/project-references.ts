// Rewrites what names a project (alert silences, route matches) in the transaction of its rename or
// delete, and deletes what refers to it by id without a foreign key (alert events), as on SQLite.
// Tables of modules that were never opened on this schema (no alerting) are skipped.
import type pg from 'pg';
import { renamedRouteSpec, routeAfterDelete } from '../project-references.js';

const hasTable = async (c: pg.PoolClient, name: string): Promise<boolean> =>
  (await c.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name])).rows[0]?.t != null;

/** Points silences and route matches naming `from` at `to`; call inside the rename's transaction. */
export async function renameProjectReferences(c: pg.PoolClient, from: string, to: string): Promise<void> {
  if (from === to) return;
  if (await hasTable(c, 'alert_silences')) await c.query('UPDATE alert_silences SET project = $1 WHERE project = $2', [to, from]);
  if (await hasTable(c, 'alert_routes')) {
    // FOR UPDATE: a route written meanwhile by another node waits for this transaction, then sees the new name.
    for (const r of (await c.query<{ id: number; spec: string }>('SELECT id, spec FROM alert_routes FOR UPDATE')).rows) {
      const spec = renamedRouteSpec(r.spec, from, to);
      if (spec !== null) await c.query('UPDATE alert_routes SET spec = $1 WHERE id = $2', [spec, r.id]);
    }
  }
}

/**
 * Deletes what names project `name` (id `id`) and has no cascading foreign key: its silences, its
 * events in the alert feed (deliveries and notifications cascade) and route matches naming it (a
 * route naming only it is deleted). Call inside the delete's transaction.
 */
export async function deleteProjectReferences(c: pg.PoolClient, id: number, name: string): Promise<void> {
  if (await hasTable(c, 'alert_silences')) await c.query('DELETE FROM alert_silences WHERE project = $1', [name]);
  if (await hasTable(c, 'alert_events')) await c.query("DELETE FROM alert_events WHERE (event::jsonb ->> 'projectId') = $1", [String(id)]);
  if (await hasTable(c, 'alert_routes')) {
    for (const r of (await c.query<{ id: number; spec: string }>('SELECT id, spec FROM alert_routes FOR UPDATE')).rows) {
      const next = routeAfterDelete(r.spec, name);
      if (next.action === 'rewrite') await c.query('UPDATE alert_routes SET spec = $1 WHERE id = $2', [next.spec, r.id]);
      else if (next.action === 'delete') await c.query('DELETE FROM alert_routes WHERE id = $1', [r.id]);
    }
  }
}
