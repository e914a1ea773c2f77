// okerr-style indicators (PROTOCOLS.md §3, okerrupdate): project(textid, secret, url).indicator(name,
// {method, policy, tags, …}).update(status, details). An update is skipped when less than 300 s
// passed since the last one sent and nothing changed, so calling it in a tight loop is safe.
// Credentials come from options, else the environment (OKERR_TEXTID, OKERR_SECRET, OKERR_URL),
// else a config file (`/etc/okerrclient.conf` style: `key = value` lines, `#` comments).
import { readFileSync } from 'node:fs';
import { OverseeClientError } from './errors.js';
import { ensureOk, joinUrl, parseBaseUrl, request, type FetchFn } from './http.js';

/** Default config file, as okerrupdate. */
export const DEFAULT_OKERR_CONFIG = '/etc/okerrclient.conf';
/** Minimum seconds between two identical updates. */
export const OKERR_THROTTLE_S = 300;

/** Options of a project. */
export interface OkerrProjectOptions {
  textid?: string;
  secret?: string;
  /** Server base URL; the director (`GET <url>api/director/<textid>`) says where updates go. */
  url?: string;
  /** When true nothing is sent; update() reports what it would have sent. */
  dryRun?: boolean;
  /** Config file to read when options and environment leave textid or url unset. */
  config?: string;
  /** Environment to read (default process.env). */
  env?: Record<string, string | undefined>;
  fetch?: FetchFn;
  /** Clock in ms (default Date.now) for throttling. */
  now?: () => number;
  timeoutMs?: number;
}

/** Options of an indicator. */
export interface OkerrIndicatorOptions {
  secret?: string;
  /** `codename|k=v|…`, e.g. `numerical|maxlim=90`. */
  method?: string;
  policy?: string;
  tags?: string[];
  error?: string;
  desc?: string;
  keypath?: string;
  origkeypath?: string;
}

/** What update() did. */
export interface OkerrUpdateResult {
  sent: boolean;
  /** Why nothing was sent: `throttled` or `dry-run`. */
  skipped?: 'throttled' | 'dry-run';
  /** The form fields sent (or that would have been sent). */
  fields: Record<string, string>;
}

/** Reads `key = value` / `key: value` lines (sections and comments ignored). */
export function readOkerrConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const m = /^([A-Za-z_][\w-]*)\s*[=:]\s*(.*)$/.exec(line);
    if (m && m[1] !== undefined) out[m[1].toLowerCase()] = (m[2] ?? '').trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

/** An okerr project: the unit that owns indicators. */
export class OkerrProject {
  readonly textid: string;
  readonly secret: string | undefined;
  readonly dryRun: boolean;
  private readonly baseUrl: string | undefined;
  private readonly fetchFn: FetchFn;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private updateBase: string | undefined;

  constructor(opts: OkerrProjectOptions = {}) {
    const env = opts.env ?? process.env;
    let textid = opts.textid ?? env['OKERR_TEXTID'];
    let secret = opts.secret ?? env['OKERR_SECRET'];
    let url = opts.url ?? env['OKERR_URL'];
    // 1. Fill what is missing from the config file (an explicitly named file must exist).
    if (textid === undefined || url === undefined || opts.config !== undefined) {
      const file = opts.config ?? DEFAULT_OKERR_CONFIG;
      let text: string | undefined;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        if (opts.config !== undefined) throw new OverseeClientError('config', `cannot read okerr config ${file}: ${(err as Error).message}`, { cause: err });
      }
      if (text !== undefined) {
        const cfg = readOkerrConfig(text);
        textid ??= cfg['textid'];
        secret ??= cfg['secret'];
        url ??= cfg['url'];
      }
    }
    if (textid === undefined || textid === '') throw new OverseeClientError('config', 'okerr textid is not set (option textid, env OKERR_TEXTID or config file)');
    this.textid = textid;
    this.secret = secret === '' ? undefined : secret;
    this.dryRun = opts.dryRun ?? false;
    this.baseUrl = url === undefined || url === '' ? undefined : parseBaseUrl(url).base;
    if (this.baseUrl === undefined && !this.dryRun) throw new OverseeClientError('config', 'okerr server url is not set (option url, env OKERR_URL or config file)');
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** Returns an indicator handle (cheap; keep it to benefit from throttling). */
  indicator(name: string, opts: OkerrIndicatorOptions = {}): OkerrIndicator {
    return new OkerrIndicator(this, name, opts);
  }

  /** Where updates go: asks the director once, falls back to the base URL when it has none. */
  async resolveUpdateUrl(): Promise<string> {
    if (this.updateBase !== undefined) return joinUrl(this.updateBase, 'update');
    const base = this.baseUrl;
    if (base === undefined) throw new OverseeClientError('config', 'okerr server url is not set');
    const directorUrl = joinUrl(base, `api/director/${encodeURIComponent(this.textid)}`);
    const answer = await request(this.fetchFn, directorUrl, { method: 'GET' }, this.timeoutMs);
    const text = answer.body.trim();
    if (answer.status === 200 && /^https?:\/\//.test(text)) this.updateBase = parseBaseUrl(text).base;
    else if (answer.status === 404 || answer.status === 405) this.updateBase = base;
    else ensureOk(answer.status === 200 ? { ...answer, status: 502, body: `director answered ${JSON.stringify(text.slice(0, 100))}` } : answer, directorUrl);
    return joinUrl(this.updateBase ?? base, 'update');
  }

  /** Sends one update form (internal to indicators; exposed for tooling). */
  async post(fields: Record<string, string>): Promise<void> {
    const url = await this.resolveUpdateUrl();
    const answer = await request(this.fetchFn, url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    }, this.timeoutMs);
    ensureOk(answer, url);
  }

  /** Milliseconds now (the project's clock). */
  clockNow(): number {
    return this.now();
  }
}

/** One indicator; update() throttles identical updates for OKERR_THROTTLE_S seconds. */
export class OkerrIndicator {
  readonly name: string;
  private readonly project: OkerrProject;
  private readonly opts: OkerrIndicatorOptions;
  private last: { at: number; status: string; details: string } | undefined;

  constructor(project: OkerrProject, name: string, opts: OkerrIndicatorOptions) {
    if (name === '') throw new OverseeClientError('config', 'indicator name is empty');
    this.project = project;
    this.name = name;
    this.opts = opts;
  }

  /** The form fields of an update. */
  fields(status: string, details: string): Record<string, string> {
    const f: Record<string, string> = { textid: this.project.textid, name: this.name, status };
    if (details !== '') f['details'] = details;
    const secret = this.opts.secret ?? this.project.secret;
    if (secret !== undefined) f['secret'] = secret;
    if (this.opts.method !== undefined) f['method'] = this.opts.method;
    if (this.opts.policy !== undefined) f['policy'] = this.opts.policy;
    if (this.opts.tags !== undefined && this.opts.tags.length > 0) f['tags'] = this.opts.tags.join(',');
    if (this.opts.error !== undefined) f['error'] = this.opts.error;
    if (this.opts.desc !== undefined) f['desc'] = this.opts.desc;
    if (this.opts.keypath !== undefined) f['keypath'] = this.opts.keypath;
    if (this.opts.origkeypath !== undefined) f['origkeypath'] = this.opts.origkeypath;
    return f;
  }

  /** Sends the status unless throttled or dry-run; throws OverseeClientError on failure. */
  async update(status: string, details = ''): Promise<OkerrUpdateResult> {
    const fields = this.fields(status, details);
    const now = this.project.clockNow();
    const last = this.last;
    if (last && last.status === status && last.details === details && now - last.at < OKERR_THROTTLE_S * 1000) {
      return { sent: false, skipped: 'throttled', fields };
    }
    if (this.project.dryRun) {
      this.last = { at: now, status, details };
      return { sent: false, skipped: 'dry-run', fields };
    }
    await this.project.post(fields);
    this.last = { at: now, status, details };
    return { sent: true, fields };
  }
}
