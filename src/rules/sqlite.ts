// SQLite table of metric rules (module 'rules' in schema_migrations). A rule is one row; its
// kind-specific settings are a JSON column, validated when the rule is created.
import type Database from 'better-sqlite3';
import type { GroupCommitter } from '../store/sqlite/group-commit.js';
import { type Migration, runMigrations } from '../store/sqlite/migrations-runner.js';
import { isSqliteStore } from '../store/sqlite/okerr.js';
import { isPostgresStore } from '../store/postgres/index.js';
import { PgRuleRepo } from '../store/postgres/rules.js';
import type { Store } from '../store/types.js';
import type { MetricRule, NewMetricRule, RuleRepo } from './types.js';

/** Schema steps of the rules module. Append new steps; never edit a released one. */
export const RULES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'metric rules',
    up: (db) => db.exec(`
      CREATE TABLE metric_rules (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX metric_rules_project ON metric_rules (project_id);
    `),
  },
];

interface Row {
  id: number;
  project_id: number;
  body: string;
  created_at: number;
}

function toRule(row: Row): MetricRule {
  const body = JSON.parse(row.body) as NewMetricRule;
  return { ...body, id: row.id, projectId: row.project_id, createdAt: row.created_at } as MetricRule;
}

/** Rules in the store's SQLite file; writes share the store's group commit. */
export class SqliteRuleRepo implements RuleRepo {
  private readonly st;

  constructor(db: Database.Database, private readonly writer: GroupCommitter) {
    runMigrations(db, 'rules', RULES_MIGRATIONS);
    this.st = {
      all: db.prepare('SELECT * FROM metric_rules ORDER BY id'),
      byProject: db.prepare('SELECT * FROM metric_rules WHERE project_id = ? ORDER BY id'),
      get: db.prepare('SELECT * FROM metric_rules WHERE id = ?'),
      insert: db.prepare('INSERT INTO metric_rules (project_id, body, created_at) VALUES (?, ?, ?) RETURNING *'),
      delete: db.prepare('DELETE FROM metric_rules WHERE id = ?'),
    };
  }

  async list(projectId?: number): Promise<MetricRule[]> {
    const rows = (projectId === undefined ? this.st.all.all() : this.st.byProject.all(projectId)) as Row[];
    return rows.map(toRule);
  }

  async get(id: number): Promise<MetricRule | null> {
    const row = this.st.get.get(id) as Row | undefined;
    return row ? toRule(row) : null;
  }

  create(rule: NewMetricRule, now: number): Promise<MetricRule> {
    const { projectId, ...body } = rule;
    return this.writer.run(() => toRule(this.st.insert.get(projectId, JSON.stringify(body), now) as Row));
  }

  delete(id: number): Promise<boolean> {
    return this.writer.run(() => this.st.delete.run(id).changes > 0);
  }
}

/** The rule repository for a store (SQLite or PostgreSQL table), or null for another store. */
export function ruleRepoFor(store: Store): RuleRepo | null {
  if (isPostgresStore(store)) return new PgRuleRepo(store.pool);
  return isSqliteStore(store) ? new SqliteRuleRepo(store.db, store.writer) : null;
}
