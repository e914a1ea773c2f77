// Rewrites what names a project (alert silences, route matches) in the transaction of its rename or
// delete, and deletes what refers to it by id without a foreign key (alert events).
// Tables of modules that were never opened on this file (no alerting) are skipped.
import type Database from 'better-sqlite3';
import { renamedRouteSpec, routeAfterDelete } from '../project-references.js';

type Preparer = Pick<Database.Database, 'prepare'>;

const hasTable = (db: Preparer, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/** Points silences and route matches naming `from` at `to`; call inside the rename's transaction. */
export function renameProjectReferences(db: Preparer, from: string, to: string): void {
  if (from === to) return;
  if (hasTable(db, 'alert_silences')) db.prepare('UPDATE alert_silences SET project = ? WHERE project = ?').run(to, from);
  if (hasTable(db, 'alert_routes')) {
    const write = db.prepare('UPDATE alert_routes SET spec = ? WHERE id = ?');
    for (const r of db.prepare('SELECT id, spec FROM alert_routes').all() as Array<{ id: number; spec: string }>) {
      const spec = renamedRouteSpec(r.spec, from, to);
      if (spec !== null) write.run(spec, r.id);
    }
  }
}

/**
 * Deletes what names project `name` (id `id`) and has no cascading foreign key: its silences, its
 * events in the alert feed (their deliveries and notifications cascade), route matches naming it
 * (a route naming only it is deleted). Call inside the delete's transaction.
 */
export function deleteProjectReferences(db: Preparer, id: number, name: string): void {
  if (hasTable(db, 'alert_silences')) db.prepare('DELETE FROM alert_silences WHERE project = ?').run(name);
  if (hasTable(db, 'alert_events')) db.prepare("DELETE FROM alert_events WHERE json_extract(event, '$.projectId') = ?").run(id);
  if (hasTable(db, 'alert_routes')) {
    const write = db.prepare('UPDATE alert_routes SET spec = ? WHERE id = ?');
    const drop = db.prepare('DELETE FROM alert_routes WHERE id = ?');
    for (const r of db.prepare('SELECT id, spec FROM alert_routes').all() as Array<{ id: number; spec: string }>) {
      const next = routeAfterDelete(r.spec, name);
      if (next.action === 'rewrite') write.run(next.spec, r.id);
      else if (next.action === 'delete') drop.run(r.id);
    }
  }
}
