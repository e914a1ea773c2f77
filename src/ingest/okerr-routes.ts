// okerr-compatible endpoints (PROTOCOLS.md §3): `POST /update` (form-urlencoded) and
// `GET /api/director/<textid>`. Answers are plain text, exactly as okerr gives them.
// Mapping: the textid is the project name (the default project is `default`); every indicator is a
// check with source 'okerr' under one host per project named `okerr` (OKERR_HOST_NAME) — indicators
// belong to a project, not to a machine, and that host has no key, so no OverC client can claim it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Project } from '../domain/types.js';
import { OverseeError } from '../errors.js';
import {
  evaluateOkerr, isOkerrFailure, okerrNoProject, parseOkerrMethod, parseOkerrUpdate, type OkerrEvaluation, type OkerrFailure,
  type OkerrMethod, type OkerrUpdate,
} from '../protocols/okerr.js';
import type { SelfMetrics } from '../server/self-metrics.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { resolveOkerrPolicy, type OkerrIndicatorRecord, type OkerrRepo, type OkerrSettings } from './okerr-repo.js';
import { OkerrSecretChecker } from './okerr-secret.js';

/** Name of the host that holds a project's okerr indicators. */
export const OKERR_HOST_NAME = 'okerr';

/** Longest indicator name accepted (the same limit as check names elsewhere). */
export const OKERR_MAX_NAME = 255;

/** Policy of indicators that never named one. */
export const OKERR_DEFAULT_POLICY = 'Default';

/** What the okerr routes need. */
export interface OkerrRoutesOptions {
  store: Store;
  okerr: OkerrRepo;
  clock: Clock;
  metrics: SelfMetrics;
  /** Base URL the director hands out (ending in `/`); default: the scheme and Host of the request. */
  publicUrl?: string;
}

/** Runs tasks with the same key one after another (read-evaluate-write of one indicator). */
class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    return next;
  }
}

function fail(status: 400 | 404, message: string): OkerrFailure {
  return { status, message };
}

/** The state, info and the value to keep for an update of an indicator. */
function evaluateUpdate(u: OkerrUpdate, method: OkerrMethod, previous: string | null): { evaluation: OkerrEvaluation; keep: string | null } {
  if (u.error !== null && u.error.trim() !== '') {
    return { evaluation: { state: 'ERR', details: `error: ${u.error}`, numeric: null }, keep: previous };
  }
  const evaluation = evaluateOkerr(method, u.status, u.details, previous);
  // A numerical update that is not a number keeps the last good value for the next diff check.
  const keep = method.codename === 'numerical' && evaluation.numeric === null ? previous : u.status;
  return { evaluation, keep };
}

/** Registers the okerr routes on `app` (own form parser, encapsulated). */
export async function okerrRoutes(app: FastifyInstance, opts: OkerrRoutesOptions): Promise<void> {
  const { store, okerr, clock, metrics } = opts;
  const secrets = new OkerrSecretChecker();
  const serial = new KeyedSerial();

  if (app.hasContentTypeParser('application/x-www-form-urlencoded')) app.removeContentTypeParser('application/x-www-form-urlencoded');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => { done(null, body); });

  const answer = (reply: FastifyReply, status: number, text: string): FastifyReply =>
    reply.code(status).type('text/plain; charset=utf-8').send(text);
  const reject = (reply: FastifyReply, f: OkerrFailure, reason: string): FastifyReply => {
    metrics.reportsRejected.inc({ protocol: 'okerr', reason });
    return answer(reply, f.status, f.message);
  };

  /** The host of the project's indicators, created on first use. */
  const okerrHost = async (projectId: number): Promise<number> =>
    (await store.hosts.getWithKey(projectId, OKERR_HOST_NAME))?.id
      ?? (await store.hosts.register(projectId, OKERR_HOST_NAME, null, clock.now())).id;

  /**
   * Applies one validated update of an existing or new indicator:
   * 1. the indicator (check + record) and whether it may be created;
   * 2. method and policy: the update's, else the stored ones, else heartbeat / Default;
   * 3. evaluation against the previous value; 4. state report and record, in one group commit.
   */
  const apply = async (
    req: FastifyRequest, project: Project, settings: OkerrSettings, u: OkerrUpdate, methodLine: string | null,
  ): Promise<OkerrFailure | null> => {
    const hostId = await okerrHost(project.id);
    const check = await store.checks.getByName(hostId, u.name);
    const stored = check === null ? null : await okerr.getIndicator(project.id, u.name);
    if (check === null && !settings.autocreate) {
      return fail(400, `Cannot create indicator '${u.name}' in project '${project.name}': autocreate off`);
    }
    let method: OkerrMethod = u.method ?? { codename: 'heartbeat' };
    let line = methodLine ?? 'heartbeat';
    if (u.method === null && stored !== null) {
      const m = parseOkerrMethod(stored.method);
      if (!isOkerrFailure(m)) { method = m; line = stored.method; }
    }
    const policyName = u.policy !== null && u.policy.trim() !== '' ? u.policy.trim() : stored?.policy ?? OKERR_DEFAULT_POLICY;
    const policy = resolveOkerrPolicy(settings, policyName);
    if (policy === null) return fail(400, `Unknown policy '${policyName}'`);
    // A changed method starts comparing afresh.
    const previous = stored !== null && stored.method === line ? stored.previous : null;
    const { evaluation, keep } = evaluateUpdate(u, method, previous);
    const now = clock.now();
    const record: OkerrIndicatorRecord = {
      projectId: project.id, name: u.name, method: line, policy: policyName, previous: keep,
      tags: u.tags.length > 0 ? u.tags : stored?.tags ?? [], desc: u.desc ?? stored?.desc ?? '', updatedAt: now,
    };
    const report = (host: number) => store.ingest.reportStates({
      hostId: host, at: now, address: req.ip, source: 'okerr',
      services: [{ name: u.name, state: evaluation.state, info: evaluation.details, periodS: policy.periodS, patienceS: policy.patienceS }],
    });
    try {
      await Promise.all([report(hostId), okerr.saveIndicator(record)]);
    } catch (err) {
      // The okerr host was deleted meanwhile: recreate it once.
      if (!(err instanceof OverseeError && err.code === 'OVS_ERR_NOT_FOUND')) throw err;
      await Promise.all([report(await okerrHost(project.id)), okerr.saveIndicator(record)]);
    }
    return null;
  };

  app.post('/update', async (req, reply) => {
    const raw = typeof req.body === 'string' ? req.body : req.body === undefined || req.body === null ? '' : null;
    if (raw === null) return reject(reply, fail(400, 'bad request: expected an application/x-www-form-urlencoded body'), 'invalid');
    const form = new URLSearchParams(raw);
    const u = parseOkerrUpdate(form);
    if (isOkerrFailure(u)) return reject(reply, u, 'invalid');
    if (u.name.length > OKERR_MAX_NAME) return reject(reply, fail(400, `name longer than ${OKERR_MAX_NAME} characters`), 'invalid');
    const project = await store.projects.getByName(u.textid);
    if (project === null) return reject(reply, okerrNoProject(u.textid), 'no_project');
    const settings = await okerr.getSettings(project.id);
    const verdict = await secrets.check(project, settings, u.secret);
    if (verdict === 'missing') return reject(reply, fail(400, 'Require secret'), 'bad_key');
    if (verdict === 'bad') return reject(reply, fail(400, 'Bad secret'), 'bad_key');
    const methodLine = u.method === null ? null : (form.get('method') ?? '').trim();
    const failure = await serial.run(`${project.id}\u0000${u.name}`, () => apply(req, project, settings, u, methodLine));
    if (failure !== null) return reject(reply, failure, 'refused');
    metrics.reportsAccepted.inc({ protocol: 'okerr' });
    return answer(reply, 200, 'OK');
  });

  app.get<{ Params: { textid: string } }>('/api/director/:textid', async (req, reply) => {
    const project = await store.projects.getByName(req.params.textid);
    if (project === null) return answer(reply, 404, okerrNoProject(req.params.textid).message);
    const base = opts.publicUrl ?? `${req.protocol}://${req.host}/`;
    return answer(reply, 200, base.endsWith('/') ? base : `${base}/`);
  });
}
