// Ties metric rules to an app: the rule repository for the store and an evaluator that starts when
// the app is ready and stops when it closes. Without a tsdb (or on a store without rule tables)
// there are no rules.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { RuleEvaluator, type RuleReader } from './evaluator.js';
import { ruleRepoFor } from './sqlite.js';
import type { RuleRepo } from './types.js';

/** Creates the rule repository and hooks an evaluator to the app's lifecycle; null when rules are unavailable. */
export function attachMetricRules(app: FastifyInstance, deps: { store: Store; tsdb: RuleReader | null; clock: Clock; intervalMs?: number }): RuleRepo | null {
  if (deps.tsdb === null) return null;
  const rules = ruleRepoFor(deps.store);
  if (rules === null) return null;
  const evaluator = new RuleEvaluator({
    store: deps.store, rules, reader: deps.tsdb, clock: deps.clock, ...(deps.intervalMs !== undefined ? { intervalMs: deps.intervalMs } : {}),
    onError: (err, what) => app.log.error({ err }, `metric rules: ${what} failed`),
  });
  app.addHook('onReady', async () => { evaluator.start(); });
  app.addHook('onClose', async () => { await evaluator.stop(); });
  return rules;
}
