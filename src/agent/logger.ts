// A small levelled logger whose threshold can change at run time (goma's /verbosity).

/** goma's level names, most verbose first. `warning` is accepted for `warn`. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'critical'] as const;

/** One level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured logging with a mutable threshold. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  level: LogLevel;
}

/** Parses a level name (case-insensitive; `warning` means `warn`); undefined when unknown. */
export function parseLogLevel(s: string): LogLevel | undefined {
  const t = s.trim().toLowerCase();
  const name = t === 'warning' ? 'warn' : t;
  return (LOG_LEVELS as readonly string[]).includes(name) ? (name as LogLevel) : undefined;
}

/** A logger writing one line per entry to `write` (default stderr). */
export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const logger: Logger = {
    level,
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
  function emit(l: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (LOG_LEVELS.indexOf(l) < LOG_LEVELS.indexOf(logger.level)) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    write(`${new Date().toISOString()} ${l} ${msg}${extra}`);
  }
  return logger;
}

/** A logger that keeps entries in memory (tests). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const l = createLogger('debug', (line) => lines.push(line.replace(/^\S+ /, '')));
  return Object.assign(l, { lines });
}
