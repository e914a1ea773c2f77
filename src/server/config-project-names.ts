// Project names written in the config file cannot follow a rename made through the API (the file is
// not rewritten). At start-up, every config key naming a project that does not exist is logged as a
// warning, so a stale [limits.projects.NAME], route `projects` or silence `project` is noticed.
import type { Logger } from 'pino';
import type { AlertingConfig } from '../alert/config.js';
import type { SeriesLimits } from '../ingest/quota.js';
import type { Store } from '../store/types.js';

/** One config key that names a project. */
export interface ConfigProjectRef { key: string; name: string }

/** Every config key that names a project: [limits.projects.NAME], routes[i].projects, silences[i].project. */
export function configProjectRefs(limits: SeriesLimits, alerting: Pick<AlertingConfig, 'routes' | 'silences'>): ConfigProjectRef[] {
  const refs: ConfigProjectRef[] = [...limits.projects.keys()].map((name) => ({ key: `limits.projects.${name}`, name }));
  alerting.routes.forEach((r, i) => (r.projects ?? []).forEach((name, j) => refs.push({ key: `routes[${i}].projects[${j}]`, name })));
  alerting.silences.forEach((s, i) => { if (s.project !== null) refs.push({ key: `silences[${i}].project`, name: s.project }); });
  return refs;
}

/** Logs a warning per config key naming a project that is not in the store; returns those keys. */
export async function warnUnknownConfigProjects(store: Store, refs: readonly ConfigProjectRef[], logger: Pick<Logger, 'warn'>): Promise<ConfigProjectRef[]> {
  if (refs.length === 0) return [];
  const names = new Set((await store.projects.list()).map((p) => p.name));
  const unknown = refs.filter((r) => !names.has(r.name));
  for (const r of unknown) {
    logger.warn({ key: r.key, project: r.name },
      `config: ${r.key} names project ${JSON.stringify(r.name)}, which does not exist (renamed or deleted through the API? config names do not follow a rename): it has no effect until such a project exists`);
  }
  return unknown;
}
