// Nagios plugin output: `TEXT | perfdata` on the first line, optional long text, and more perfdata
// after a `|` in the long text (Nagios plugin guidelines). Pure, zero dependencies.

/** One performance-data item: `'label'=value[UOM];[warn];[crit];[min];[max]`. */
export interface PerfDatum {
  label: string;
  value: number;
  /** Unit of measure as written (`s`, `ms`, `%`, `B`, `KB`, `c`, …); empty when none. */
  uom: string;
  /** Warning range string as written (Nagios range syntax), when present. */
  warn?: string;
  /** Critical range string as written, when present. */
  crit?: string;
  min?: number;
  max?: number;
}

/** The parts of a plugin's output. */
export interface PluginOutput {
  /** The human text: first line before `|`, plus long-text lines (perfdata removed), trimmed. */
  text: string;
  perfdata: PerfDatum[];
  /** Perfdata tokens that could not be parsed (kept out of `perfdata`, reported for logs). */
  invalid: string[];
}

const NUMBER = /^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?/;

/** Parses a number written the way plugins write them (comma decimal separator accepted). */
function parseNumber(raw: string): number | undefined {
  const t = raw.trim();
  if (t === '') return undefined;
  const m = NUMBER.exec(t);
  if (!m || m[0].length !== t.length) return undefined;
  const n = Number(t.replace(',', '.'));
  return Number.isFinite(n) ? n : undefined;
}

/** Splits perfdata into tokens at whitespace, keeping single-quoted labels (with `''` escapes) whole. */
export function tokenizePerfdata(s: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    if (inQuote) {
      if (ch === "'" && s.charAt(i + 1) === "'") { cur += "''"; i++; continue; }
      if (ch === "'") inQuote = false;
      cur += ch;
    } else if (ch === "'") {
      inQuote = true;
      cur += ch;
    } else if (/\s/.test(ch)) {
      if (cur !== '') tokens.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur !== '') tokens.push(cur);
  return tokens;
}

/** Parses one token; undefined when it is not valid perfdata (value `U` counts as invalid). */
export function parsePerfDatum(token: string): PerfDatum | undefined {
  // 1. Label: quoted (may contain spaces and '') or bare up to the last '=' before the value.
  let label: string;
  let rest: string;
  if (token.startsWith("'")) {
    let i = 1;
    let out = '';
    for (; i < token.length; i++) {
      const ch = token.charAt(i);
      if (ch === "'" && token.charAt(i + 1) === "'") { out += "'"; i++; continue; }
      if (ch === "'") break;
      out += ch;
    }
    if (token.charAt(i) !== "'" || token.charAt(i + 1) !== '=') return undefined;
    label = out;
    rest = token.slice(i + 2);
  } else {
    const eq = token.indexOf('=');
    if (eq <= 0) return undefined;
    label = token.slice(0, eq);
    rest = token.slice(eq + 1);
  }
  if (label === '') return undefined;
  // 2. Value with unit, then the optional semicolon-separated fields.
  const fields = rest.split(';');
  const valueField = fields[0] ?? '';
  const m = NUMBER.exec(valueField);
  if (!m) return undefined;
  const value = Number(m[0].replace(',', '.'));
  const uom = valueField.slice(m[0].length);
  if (!Number.isFinite(value) || !/^[A-Za-z%]*$/.test(uom)) return undefined;
  const datum: PerfDatum = { label, value, uom };
  const [, warn, crit, min, max] = fields;
  if (warn !== undefined && warn.trim() !== '') datum.warn = warn.trim();
  if (crit !== undefined && crit.trim() !== '') datum.crit = crit.trim();
  const minN = min === undefined ? undefined : parseNumber(min);
  const maxN = max === undefined ? undefined : parseNumber(max);
  if (minN !== undefined) datum.min = minN;
  if (maxN !== undefined) datum.max = maxN;
  return datum;
}

/** Parses a whole perfdata string (space-separated items). */
export function parsePerfdata(s: string): { perfdata: PerfDatum[]; invalid: string[] } {
  const perfdata: PerfDatum[] = [];
  const invalid: string[] = [];
  for (const token of tokenizePerfdata(s)) {
    const d = parsePerfDatum(token);
    if (d) perfdata.push(d);
    else invalid.push(token);
  }
  return { perfdata, invalid };
}

/** Splits a plugin's complete output into text and perfdata (first line and long-text perfdata). */
export function parsePluginOutput(output: string): PluginOutput {
  const lines = output.replace(/\r\n/g, '\n').split('\n');
  const textParts: string[] = [];
  const perfParts: string[] = [];
  // 1. First line: TEXT | PERFDATA.
  const first = lines[0] ?? '';
  const bar = first.indexOf('|');
  if (bar >= 0) {
    textParts.push(first.slice(0, bar).trimEnd());
    perfParts.push(first.slice(bar + 1));
  } else {
    textParts.push(first);
  }
  // 2. Long text; a '|' switches to perfdata for the rest of the output.
  let inPerf = false;
  for (const line of lines.slice(1)) {
    if (inPerf) { perfParts.push(line); continue; }
    const b = line.indexOf('|');
    if (b >= 0) {
      textParts.push(line.slice(0, b).trimEnd());
      perfParts.push(line.slice(b + 1));
      inPerf = true;
    } else {
      textParts.push(line);
    }
  }
  const { perfdata, invalid } = parsePerfdata(perfParts.join(' '));
  return { text: textParts.join('\n').trim(), perfdata, invalid };
}
