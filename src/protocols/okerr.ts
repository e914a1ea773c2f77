// okerr indicator protocol (PROTOCOLS.md §3): pure parsing of `POST /update` form fields, the
// method line `codename|k=v|k=v`, and evaluation of the heartbeat / numerical / string methods as
// pure functions returning a state and details. Zero dependencies.

/** The fields of one /update after validation. */
export interface OkerrUpdate {
  textid: string;
  name: string;
  status: string;
  details: string;
  secret: string | null;
  method: OkerrMethod | null;
  policy: string | null;
  tags: string[];
  error: string | null;
  keypath: string | null;
  origkeypath: string | null;
  desc: string | null;
}

/** A parsed method line. */
export type OkerrMethod =
  | { codename: 'heartbeat' }
  | { codename: 'numerical'; minlim: number | null; maxlim: number | null; diffmin: OkerrDiff | null; diffmax: OkerrDiff | null }
  | { codename: 'string'; options: OkerrStringOption[] };

/** A diff limit: absolute, or percent of the previous value. */
export interface OkerrDiff {
  value: number;
  percent: boolean;
}

/** Options of the string method. */
export type OkerrStringOption = 'text' | 'dynamic' | 'empty_ok' | 'empty_err';

/** Plain-text error answer (status 400 or 404 with the body okerr gives). */
export interface OkerrFailure {
  status: 400 | 404;
  message: string;
}

/** What evaluating an update gives: the indicator's state, the details to show, and the value to keep. */
export interface OkerrEvaluation {
  state: 'OK' | 'ERR';
  details: string;
  /** Numeric value (numerical method), else null. */
  numeric: number | null;
}

/** Check period and patience of the built-in policies, in seconds. */
export const OKERR_POLICIES: Readonly<Record<string, { periodS: number; patienceS: number }>> = {
  Default: { periodS: 3600, patienceS: 1200 },
  Daily: { periodS: 86400, patienceS: 7200 },
};

const NUM = '[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?';
const SUFFIXED_RE = new RegExp(`^\\s*(${NUM})\\s*([kKmMgG]?)\\s*$`);
const DIFF_RE = new RegExp(`^\\s*(${NUM})\\s*(%?)\\s*$`);
const TAG_RE = /^[A-Za-z0-9_]+$/;
const CM_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STRING_OPTIONS: readonly OkerrStringOption[] = ['text', 'dynamic', 'empty_ok', 'empty_err'];
const MULT: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A number with an optional K/M/G suffix (×1024, ×1024², ×1024³), or null. */
export function parseOkerrNumber(s: string): number | null {
  const m = SUFFIXED_RE.exec(s);
  if (m === null) return null;
  const v = Number(m[1]) * MULT[m[2]!.toLowerCase()]!;
  return Number.isFinite(v) ? v : null;
}

function parseDiff(s: string): OkerrDiff | null {
  const m = DIFF_RE.exec(s);
  if (m !== null) {
    const v = Number(m[1]);
    return Number.isFinite(v) ? { value: v, percent: m[2] === '%' } : null;
  }
  const n = parseOkerrNumber(s);
  return n === null ? null : { value: n, percent: false };
}

/** Parses `codename|k=v|k=v`; a failure carries okerr's answer text. */
export function parseOkerrMethod(line: string): OkerrMethod | OkerrFailure {
  const parts = line.split('|');
  const codename = parts[0]!.trim();
  const args: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    if (p.trim() === '') continue;
    const eq = p.indexOf('=');
    const k = eq < 0 ? '' : p.slice(0, eq).trim();
    if (!CM_KEY_RE.test(k)) return { status: 400, message: 'bad cm line' };
    args[k] = p.slice(eq + 1).trim();
  }
  switch (codename) {
    case 'heartbeat':
      return { codename };
    case 'numerical': {
      const lim = (k: string): number | null | undefined => (args[k] === undefined || args[k] === '' ? null : parseOkerrNumber(args[k]) ?? undefined);
      const dif = (k: string): OkerrDiff | null | undefined => (args[k] === undefined || args[k] === '' ? null : parseDiff(args[k]) ?? undefined);
      const minlim = lim('minlim');
      const maxlim = lim('maxlim');
      const diffmin = dif('diffmin');
      const diffmax = dif('diffmax');
      if (minlim === undefined || maxlim === undefined || diffmin === undefined || diffmax === undefined) return { status: 400, message: 'bad cm line' };
      return { codename, minlim, maxlim, diffmin, diffmax };
    }
    case 'string': {
      const raw = args.options ?? '';
      const options = raw.split(/[\s,]+/).filter((o) => o !== '');
      if (!options.every((o) => (STRING_OPTIONS as readonly string[]).includes(o))) return { status: 400, message: 'bad cm line' };
      return { codename, options: options as OkerrStringOption[] };
    }
    default:
      return { status: 400, message: `Unknown checkname with codename '${codename}'` };
  }
}

type Fields = URLSearchParams | Readonly<Record<string, string | undefined>>;

function field(f: Fields, k: string): string | null {
  const v = f instanceof URLSearchParams ? f.get(k) : f[k];
  return v === undefined || v === null ? null : v;
}

/** Validates the form fields of /update (textid, name and status required; tags `[A-Za-z0-9_]+`). */
export function parseOkerrUpdate(f: Fields): OkerrUpdate | OkerrFailure {
  const textid = field(f, 'textid');
  const name = field(f, 'name');
  const status = field(f, 'status');
  for (const [k, v] of [['textid', textid], ['name', name], ['status', status]] as const) {
    if (v === null || (k !== 'status' && v.trim() === '')) return { status: 400, message: `Missing required field '${k}'` };
  }
  const methodLine = field(f, 'method');
  let method: OkerrMethod | null = null;
  if (methodLine !== null && methodLine.trim() !== '') {
    const m = parseOkerrMethod(methodLine);
    if ('status' in m) return m;
    method = m;
  }
  const rawTags = field(f, 'tags') ?? '';
  const tags = rawTags.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const badTag = tags.find((t) => !TAG_RE.test(t));
  if (badTag !== undefined) return { status: 400, message: `bad tag '${badTag}'` };
  return {
    textid: textid!, name: name!, status: status!, details: field(f, 'details') ?? '', secret: field(f, 'secret'), method,
    policy: field(f, 'policy'), tags, error: field(f, 'error'), keypath: field(f, 'keypath'), origkeypath: field(f, 'origkeypath'),
    desc: field(f, 'desc'),
  };
}

/** True for a failure answer (its status is a number; an update's status is the reported text). */
export function isOkerrFailure(x: OkerrUpdate | OkerrMethod | OkerrFailure): x is OkerrFailure {
  return 'status' in x && typeof x.status === 'number';
}

/** okerr's answer when the project does not exist. */
export function okerrNoProject(textid: string): OkerrFailure {
  return { status: 404, message: `No such project. (textid: '${textid}')` };
}

function fmt(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

/**
 * Evaluates one update against its method and the previous value (null for the first update).
 * heartbeat: OK when status is OK, else ERR. numerical: the status is the number; outside
 * [minlim, maxlim] or a change outside [diffmin, diffmax] (absolute, or % of the previous) → ERR.
 * string: OK, except empty_err (empty → ERR) and dynamic (a change from the previous text → ERR).
 */
export function evaluateOkerr(method: OkerrMethod, status: string, details: string, previous: string | null): OkerrEvaluation {
  const withDetails = (d: string): string => (details === '' ? d : d === '' ? details : `${d} (${details})`);
  switch (method.codename) {
    case 'heartbeat': {
      const s = status.trim().toUpperCase();
      return { state: s === 'OK' ? 'OK' : 'ERR', details: withDetails(s === 'OK' || s === 'ERR' ? '' : `status '${status}'`), numeric: null };
    }
    case 'numerical': {
      const v = parseOkerrNumber(status);
      if (v === null) return { state: 'ERR', details: withDetails(`not a number: '${status}'`), numeric: null };
      if (method.minlim !== null && v < method.minlim) return { state: 'ERR', details: withDetails(`${fmt(v)} < minlim ${fmt(method.minlim)}`), numeric: v };
      if (method.maxlim !== null && v > method.maxlim) return { state: 'ERR', details: withDetails(`${fmt(v)} > maxlim ${fmt(method.maxlim)}`), numeric: v };
      const prev = previous === null ? null : parseOkerrNumber(previous);
      if (prev !== null) {
        const diff = v - prev;
        const check = (lim: OkerrDiff | null, below: boolean): string | null => {
          if (lim === null) return null;
          const d = lim.percent ? (prev === 0 ? (diff === 0 ? 0 : Infinity * Math.sign(diff)) : (diff / Math.abs(prev)) * 100) : diff;
          const bad = below ? d < lim.value : d > lim.value;
          return bad ? `diff ${fmt(d)}${lim.percent ? '%' : ''} ${below ? '< diffmin' : '> diffmax'} ${fmt(lim.value)}${lim.percent ? '%' : ''}` : null;
        };
        const bad = check(method.diffmin, true) ?? check(method.diffmax, false);
        if (bad !== null) return { state: 'ERR', details: withDetails(bad), numeric: v };
      }
      return { state: 'OK', details: withDetails(''), numeric: v };
    }
    case 'string': {
      const empty = status.trim() === '';
      if (empty) return { state: method.options.includes('empty_err') ? 'ERR' : 'OK', details: withDetails(''), numeric: null };
      if (method.options.includes('dynamic') && previous !== null && previous !== status) {
        return { state: 'ERR', details: withDetails(`changed from '${previous}'`), numeric: null };
      }
      return { state: 'OK', details: withDetails(''), numeric: null };
    }
  }
}
