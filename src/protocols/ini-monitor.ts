// overcli `monitor` configuration (INI, as Python's ConfigParser reads it):
//   [overc]            server, my-name, my-key            (optional)
//   [service:NAME]     period, command, max-lag, timeout  (timeout is an Oversee extension)
// Written by hand rather than with the `ini` package because errors must name the line, and
// ConfigParser syntax (`key: value`, indented continuation lines, `;`/`#` comment lines) differs
// from what `ini` accepts. Unknown sections and keys are rejected. No %(x)s interpolation and no
// inline comments (as Python 3's ConfigParser): a command may contain `;` and `#`.

/** One `[service:NAME]` section. Times are in seconds. */
export interface IniService {
  name: string;
  period: number;
  command: string;
  /** Seconds subtracted from the scheduling interval (default 0). */
  maxLag: number;
  /** Seconds a run may take before it is killed (default: the scheduling interval). */
  timeout: number | undefined;
  /** 1-based line of the section header. */
  line: number;
}

/** The `[overc]` section; every key optional. */
export interface IniOvercSection {
  server?: string;
  name?: string;
  key?: string;
}

/** A parsed monitor configuration. */
export interface IniMonitorConfig {
  overc: IniOvercSection;
  services: IniService[];
}

/** A configuration error naming file, line and key. */
export class IniMonitorError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly key: string | undefined;
  constructor(file: string, line: number | undefined, key: string | undefined, problem: string) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${key !== undefined ? `${key}: ` : ''}${problem}`);
    this.name = 'IniMonitorError';
    this.file = file;
    this.line = line;
    this.key = key;
  }
}

interface RawEntry { value: string; line: number }
interface RawSection { name: string; line: number; entries: Map<string, RawEntry> }

/** Reads INI text into sections (ConfigParser rules: keys lower-cased, `=` or `:`, continuation lines). */
export function readIniSections(text: string, file: string): RawSection[] {
  const sections: RawSection[] = [];
  let current: RawSection | undefined;
  let lastEntry: RawEntry | undefined;
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    // 1. Comments and blank lines end nothing; a blank line ends a continuation.
    if (/^\s*[#;]/.test(raw)) return;
    if (raw.trim() === '') { lastEntry = undefined; return; }
    // 2. Indented line after a key continues its value.
    if (/^\s/.test(raw) && lastEntry) {
      lastEntry.value += `\n${raw.trim()}`;
      return;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(raw.trim());
    if (header && !/^\s/.test(raw)) {
      const name = (header[1] ?? '').trim();
      if (sections.some((s) => s.name === name)) throw new IniMonitorError(file, lineNo, undefined, `duplicate section [${name}]`);
      current = { name, line: lineNo, entries: new Map() };
      sections.push(current);
      lastEntry = undefined;
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw.trim());
    if (!kv) throw new IniMonitorError(file, lineNo, undefined, `cannot parse line: ${JSON.stringify(raw.trim())}`);
    const key = (kv[1] ?? '').trim().toLowerCase();
    if (!current) throw new IniMonitorError(file, lineNo, key, 'key outside of any [section]');
    if (current.entries.has(key)) throw new IniMonitorError(file, lineNo, key, `duplicate key in [${current.name}]`);
    lastEntry = { value: (kv[2] ?? '').trim(), line: lineNo };
    current.entries.set(key, lastEntry);
  });
  return sections;
}

function parseSeconds(file: string, section: string, key: string, e: RawEntry, allowZero: boolean): number {
  const n = Number(e.value);
  if (e.value === '' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new IniMonitorError(file, e.line, `[${section}] ${key}`, `expected a ${allowZero ? 'non-negative' : 'positive'} number of seconds, got ${JSON.stringify(e.value)}`);
  }
  return n;
}

const OVERC_KEYS = new Set(['server', 'my-name', 'my-key']);
const SERVICE_KEYS = new Set(['period', 'command', 'max-lag', 'timeout']);

/** Parses an overcli monitor configuration; throws IniMonitorError naming file, line and key. */
export function parseIniMonitorConfig(text: string, file = 'config.ini'): IniMonitorConfig {
  const config: IniMonitorConfig = { overc: {}, services: [] };
  for (const section of readIniSections(text, file)) {
    // 1. [overc]: connection settings.
    if (section.name === 'overc') {
      for (const [key, e] of section.entries) {
        if (!OVERC_KEYS.has(key)) throw new IniMonitorError(file, e.line, `[overc] ${key}`, `unknown key (expected one of ${[...OVERC_KEYS].join(', ')})`);
        if (key === 'server') config.overc.server = e.value;
        if (key === 'my-name') config.overc.name = e.value;
        if (key === 'my-key') config.overc.key = e.value;
      }
      continue;
    }
    // 2. [service:NAME]: one monitored service.
    const m = /^service:(.+)$/.exec(section.name);
    if (!m) throw new IniMonitorError(file, section.line, undefined, `unknown section [${section.name}] (expected [overc] or [service:NAME])`);
    const name = (m[1] ?? '').trim();
    if (name === '') throw new IniMonitorError(file, section.line, undefined, 'empty service name in section header');
    for (const [key, e] of section.entries) {
      if (!SERVICE_KEYS.has(key)) throw new IniMonitorError(file, e.line, `[${section.name}] ${key}`, `unknown key (expected one of ${[...SERVICE_KEYS].join(', ')})`);
    }
    const period = section.entries.get('period');
    const command = section.entries.get('command');
    if (!period) throw new IniMonitorError(file, section.line, `[${section.name}] period`, 'missing required key');
    if (!command || command.value === '') throw new IniMonitorError(file, command?.line ?? section.line, `[${section.name}] command`, 'missing required key');
    const maxLag = section.entries.get('max-lag');
    const timeout = section.entries.get('timeout');
    config.services.push({
      name,
      period: parseSeconds(file, section.name, 'period', period, false),
      command: command.value,
      maxLag: maxLag ? parseSeconds(file, section.name, 'max-lag', maxLag, true) : 0,
      timeout: timeout ? parseSeconds(file, section.name, 'timeout', timeout, false) : undefined,
      line: section.line,
    });
  }
  return config;
}

/** Seconds between runs of a service: period×0.8 − max-lag (overcli's margin), at least 1 s. */
export function schedulingIntervalS(service: Pick<IniService, 'period' | 'maxLag'>): number {
  return Math.max(1, service.period * 0.8 - service.maxLag);
}
