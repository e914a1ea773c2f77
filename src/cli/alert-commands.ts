// Alerting commands that talk to a running server over /api/v1: `alerts` (the alert feed), `ack`,
// `unack`, `silence add|list|remove`, `channel list|test`. Server: --url, else the program's -s, else
// OVERSEE_URL, else http://127.0.0.1:5000. API token: --token, else OVERSEE_TOKEN. Human-readable
// tables by default, the server's JSON with --json; every failure is a CliError with a clear message.
import type { Command } from 'commander';
import { CliError } from './main.js';

/** Where the server is assumed to listen when nothing says otherwise. */
export const DEFAULT_URL = 'http://127.0.0.1:5000';

/** How long one request may take before the command gives up. */
const REQUEST_TIMEOUT_MS = 30_000;

interface ConnOptions { url?: string; token?: string; json?: boolean }

/** Where the commands write (process streams by default; tests pass their own). */
export interface AlertCommandOutput {
  out(text: string): void;
}

const processOutput: AlertCommandOutput = { out: (text) => { process.stdout.write(text); } };

/** A connection to the server's API. */
export interface ApiConnection {
  url: string;
  token: string;
}

/** Resolves the server URL and token (flag > program -s > env > default); CliError (exit 2) without a token. */
export function resolveApiConnection(program: Command, opts: ConnOptions, env: NodeJS.ProcessEnv): ApiConnection {
  const url = opts.url ?? program.opts<{ server?: string }>().server ?? (env['OVERSEE_URL'] || undefined) ?? DEFAULT_URL;
  if (!/^https?:\/\//.test(url)) throw new CliError(`--url must be an http:// or https:// URL, got ${JSON.stringify(url)}`, 2);
  const token = opts.token ?? (env['OVERSEE_TOKEN'] || undefined);
  if (token === undefined || token === '') throw new CliError('no API token: pass --token TOKEN (or set OVERSEE_TOKEN)', 2);
  return { url: url.replace(/\/+$/, ''), token };
}

/** Calls `METHOD /api/v1<path>`; resolves to the parsed JSON (undefined for 204); CliError on any failure. */
export async function apiCall(conn: ApiConnection, method: string, path: string, body?: unknown): Promise<unknown> {
  const target = `${conn.url}/api/v1${path}`;
  let res: Response;
  try {
    res = await fetch(target, {
      method,
      headers: { authorization: `Bearer ${conn.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : (err as Error).message;
    throw new CliError(`cannot reach ${conn.url}: ${why}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new CliError(`${method} ${target} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const detail = typeof e?.message === 'string' ? `${String(e.code)}: ${e.message}` : text.slice(0, 200);
    const hint = res.status === 404 && typeof e?.message === 'string' && e.message.startsWith('no such endpoint')
      ? ' (does this server have alerting?)' : '';
    throw new CliError(`${method} /api/v1${path} failed: ${res.status} ${detail}${hint}`);
  }
  return parsed;
}

/** Formats rows as aligned columns under a header. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** A time as `2026-01-05 12:00:00Z` (UTC), or '-' for null. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** Seconds of a duration like `90`, `45s`, `30m`, `2h`, `1d`, `1h30m`; CliError otherwise. */
export function parseDuration(raw: string): number {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
  const parts = [...text.matchAll(/(\d+)([smhdw])/g)];
  if (text === '' || parts.map((p) => p[0]).join('') !== text) {
    throw new CliError(`--for must be a duration like 90m, 2h, 1d or 1h30m, got ${JSON.stringify(raw)}`, 2);
  }
  const seconds = parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? 's'] ?? 1), 0);
  if (seconds <= 0) throw new CliError('--for must be longer than 0', 2);
  return seconds;
}

/** `host:check` globs from --match (`web*` alone = every check of matching hosts). */
export function parseMatch(raw: string): { host: string; check: string } {
  const i = raw.indexOf(':');
  const host = i < 0 ? raw : raw.slice(0, i);
  const check = i < 0 ? '*' : raw.slice(i + 1);
  if (host === '' || check === '') throw new CliError(`--match must be HOST_GLOB[:CHECK_GLOB] (e.g. 'db-*:backup'), got ${JSON.stringify(raw)}`, 2);
  return { host, check };
}

function positiveInt(raw: string, what: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new CliError(`${what} must be a positive integer, got ${JSON.stringify(raw)}`, 2);
  return Number(raw);
}

/** A time flag: `now`, epoch milliseconds or a date-time with zone (passed to the server, which checks it). */
function timeFlag(raw: string): string | number {
  if (raw === 'now') return Date.now();
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

interface FeedEvent {
  id: number; checkId: number | null; at: number; status: string; note: string | null;
  event: { kind: string; hostName: string | null; checkName: string | null; title: string };
}
interface Silence {
  id: number; project: string | null; host: string; check: string; startsAt: number; endsAt: number;
  recurrence: string; until: number | null; comment: string; createdBy: string;
}
interface Channel { name: string; type: string; enabled: boolean; disabledReason: string | null; origin: string; config: Record<string, unknown> }
interface CheckAlertState { checkId: number; ackedAt: number | null; ackedBy: string | null; ackComment: string | null }

/** What a channel sends to, for `channel list`. */
function channelTarget(c: Channel): string {
  const cfg = c.config;
  if (Array.isArray(cfg['to'])) return cfg['to'].map(String).join(', ');
  for (const key of ['url', 'command']) if (typeof cfg[key] === 'string') return cfg[key];
  return '';
}

/** Adds `alerts`, `ack`, `unack`, `silence add|list|remove` and `channel list|test` to the program. */
export function registerAlertCommands(program: Command, io: AlertCommandOutput = processOutput): void {
  const withConn = (cmd: Command): Command => cmd
    .option('--url <url>', `server URL (default: -s, env OVERSEE_URL, ${DEFAULT_URL})`)
    .option('--token <token>', 'API token ovs_… (env OVERSEE_TOKEN)')
    .option('--json', 'print the server\'s JSON answer');
  const conn = (opts: ConnOptions): ApiConnection => resolveApiConnection(program, opts, process.env);
  const json = (value: unknown): void => io.out(`${JSON.stringify(value, null, 2)}\n`);

  withConn(program.command('alerts'))
    .description('show the alert feed, newest first: every event and what became of it (routed, silenced, dropped, ...)')
    .option('--check <id>', 'only events of this check id')
    .option('--status <status>', 'held | routed | dropped | silenced | flapping | unrouted')
    .option('--project <name>', 'only events of this project (id or name)')
    .option('--limit <n>', 'how many events', '50')
    .option('--cursor <cursor>', 'continue after a previous page')
    .action(async (opts: ConnOptions & { check?: string; status?: string; project?: string; limit: string; cursor?: string }) => {
      const q = new URLSearchParams({ limit: String(positiveInt(opts.limit, '--limit')) });
      if (opts.check !== undefined) q.set('check', String(positiveInt(opts.check, '--check')));
      if (opts.status !== undefined) q.set('status', opts.status);
      if (opts.project !== undefined) q.set('project', opts.project);
      if (opts.cursor !== undefined) q.set('cursor', opts.cursor);
      const page = await apiCall(conn(opts), 'GET', `/events?${q.toString()}`) as { items: FeedEvent[]; nextCursor: string | null };
      if (opts.json) return json(page);
      if (page.items.length === 0) return io.out('no alert events\n');
      io.out(formatTable(['ID', 'TIME', 'STATUS', 'KIND', 'CHECK', 'TITLE'], page.items.map((e) => [
        String(e.id), formatTime(e.at), e.status, e.event.kind, e.checkId === null ? '-' : String(e.checkId),
        e.event.title + (e.note ? ` (${e.note})` : ''),
      ])));
      if (page.nextCursor !== null) io.out(`more: --cursor ${page.nextCursor}\n`);
    });

  withConn(program.command('ack'))
    .description("acknowledge a check's problem: no reminders until its state changes")
    .argument('<check-id>', 'the check id (see `oversee alerts`)')
    .option('--comment <text>', 'why, or who is on it')
    .action(async (id: string, opts: ConnOptions & { comment?: string }) => {
      const checkId = positiveInt(id, 'CHECK_ID');
      const state = await apiCall(conn(opts), 'POST', `/checks/${checkId}/ack`, opts.comment === undefined ? {} : { comment: opts.comment }) as CheckAlertState;
      if (opts.json) return json(state);
      io.out(`acknowledged check ${checkId} as ${state.ackedBy ?? '?'}${state.ackComment ? `: ${state.ackComment}` : ''}\n`);
    });

  withConn(program.command('unack'))
    .description('remove the acknowledgement of a check (reminders resume)')
    .argument('<check-id>', 'the check id')
    .action(async (id: string, opts: ConnOptions) => {
      const checkId = positiveInt(id, 'CHECK_ID');
      const state = await apiCall(conn(opts), 'DELETE', `/checks/${checkId}/ack`);
      if (opts.json) return json(state);
      io.out(`acknowledgement of check ${checkId} removed\n`);
    });

  const silence = program.command('silence').description('maintenance windows: matching events are recorded, not sent');
  withConn(silence.command('add'))
    .description('add a silence for hosts/checks matching globs (* any run, ? one character)')
    .requiredOption('--match <host:check>', "HOST_GLOB[:CHECK_GLOB], e.g. 'db-*:backup' or 'web1'")
    .option('--start <time>', 'when it starts: now (default), a date-time with zone (2026-01-05T22:00:00Z) or epoch ms')
    .option('--end <time>', 'when it ends (exclusive)')
    .option('--for <duration>', 'how long, instead of --end: 90m, 2h, 1d, 1h30m')
    .option('--recur <every>', 'repeat the window: daily | weekly')
    .option('--until <time>', 'a recurring window stops starting at this time')
    .option('--project <name>', 'only this project')
    .option('--comment <text>', 'why')
    .action(async (opts: ConnOptions & { match: string; start?: string; end?: string; for?: string; recur?: string; until?: string; project?: string; comment?: string }) => {
      if ((opts.end === undefined) === (opts.for === undefined)) throw new CliError('give either --end or --for', 2);
      const body: Record<string, unknown> = { ...parseMatch(opts.match) };
      if (opts.start !== undefined) body.starts = timeFlag(opts.start);
      if (opts.end !== undefined) body.ends = timeFlag(opts.end);
      if (opts.for !== undefined) body.duration_s = parseDuration(opts.for);
      if (opts.recur !== undefined) body.recurrence = opts.recur;
      if (opts.until !== undefined) body.until = timeFlag(opts.until);
      if (opts.project !== undefined) body.project = opts.project;
      if (opts.comment !== undefined) body.comment = opts.comment;
      const s = await apiCall(conn(opts), 'POST', '/silences', body) as Silence;
      if (opts.json) return json(s);
      const recur = s.recurrence === 'none' ? '' : `, ${s.recurrence}${s.until === null ? '' : ` until ${formatTime(s.until)}`}`;
      io.out(`silence ${s.id} added: ${s.host}:${s.check}${s.project ? ` in ${s.project}` : ''} from ${formatTime(s.startsAt)} to ${formatTime(s.endsAt)}${recur}\n`);
    });

  withConn(silence.command('list'))
    .description('list silences (without expired ones unless --all)')
    .option('--all', 'include silences that can never be active again')
    .action(async (opts: ConnOptions & { all?: boolean }) => {
      const page = await apiCall(conn(opts), 'GET', `/silences${opts.all ? '?includeExpired=true' : ''}`) as { items: Silence[] };
      if (opts.json) return json(page);
      if (page.items.length === 0) return io.out('no silences\n');
      io.out(formatTable(['ID', 'MATCH', 'PROJECT', 'STARTS', 'ENDS', 'RECUR', 'BY', 'COMMENT'], page.items.map((s) => [
        String(s.id), `${s.host}:${s.check}`, s.project ?? '*', formatTime(s.startsAt), formatTime(s.endsAt), s.recurrence, s.createdBy, s.comment,
      ])));
    });

  withConn(silence.command('remove'))
    .description('remove a silence')
    .argument('<id>', 'the silence id (see `oversee silence list`)')
    .action(async (id: string, opts: ConnOptions) => {
      const silenceId = positiveInt(id, 'ID');
      await apiCall(conn(opts), 'DELETE', `/silences/${silenceId}`);
      if (opts.json) return json({ removed: silenceId });
      io.out(`silence ${silenceId} removed\n`);
    });

  const channel = program.command('channel').description('notification channels');
  withConn(channel.command('list'))
    .description('list channels (secrets are never shown)')
    .action(async (opts: ConnOptions) => {
      const page = await apiCall(conn(opts), 'GET', '/channels') as { items: Channel[] };
      if (opts.json) return json(page);
      if (page.items.length === 0) return io.out('no channels\n');
      io.out(formatTable(['NAME', 'TYPE', 'ENABLED', 'ORIGIN', 'TARGET'], page.items.map((c) => [
        c.name, c.type, c.enabled ? 'yes' : `no${c.disabledReason ? ` (${c.disabledReason})` : ''}`, c.origin, channelTarget(c),
      ])));
    });

  withConn(channel.command('test'))
    .description('send a test message through a channel now')
    .argument('<name>', 'the channel name')
    .action(async (name: string, opts: ConnOptions) => {
      const result = await apiCall(conn(opts), 'POST', `/channels/${encodeURIComponent(name)}/test`) as { ok: boolean; error: string | null; permanent: boolean };
      if (opts.json) json(result);
      if (!result.ok) throw new CliError(`channel ${name}: the test message failed${result.permanent ? ' (permanent)' : ''}: ${result.error ?? 'unknown error'}`);
      if (!opts.json) io.out(`test message sent through channel ${name}\n`);
    });
}
