// Turns a finished plugin run into an OverC service report: exit code → state, output → info and
// perfdata metrics (Nagios plugin contract, PROTOCOLS.md §6).
import { parsePluginOutput } from '../protocols/nagios-perfdata.js';
import type { OvercState, ServiceMetric } from '../client/index.js';
import type { RunResult } from './run-command.js';

/** Exit code → state: 0 OK, 1 WARN, 2 FAIL (critical), anything else or a signal UNK. */
export function stateFromExit(r: Pick<RunResult, 'exitCode' | 'timedOut' | 'spawnError'>): OvercState {
  if (r.timedOut || r.spawnError !== undefined) return 'UNK';
  switch (r.exitCode) {
    case 0: return 'OK';
    case 1: return 'WARN';
    case 2: return 'FAIL';
    default: return 'UNK';
  }
}

/** The report parts of a run. */
export interface PluginReport {
  state: OvercState;
  info: string;
  metrics: ServiceMetric[];
  /** Set when the command could not be run at all (sh exit 126/127, spawn error): an alert is due. */
  fatal: string | undefined;
}

/** Builds state, info (text without perfdata, trailing whitespace trimmed) and metrics from a run. */
export function pluginReport(r: RunResult, timeoutS: number): PluginReport {
  const parsed = parsePluginOutput(r.output);
  const metrics: ServiceMetric[] = parsed.perfdata.map((d) => ({
    name: d.label,
    value: d.value,
    ...(d.uom !== '' ? { unit: d.uom } : {}),
    ...(d.warn !== undefined ? { warn: d.warn } : {}),
    ...(d.crit !== undefined ? { crit: d.crit } : {}),
    ...(d.min !== undefined ? { min: d.min } : {}),
    ...(d.max !== undefined ? { max: d.max } : {}),
  }));
  let info = parsed.text;
  let fatal: string | undefined;
  if (r.timedOut) info = `${info}${info ? '\n' : ''}Timed out after ${timeoutS} s (killed)`.trim();
  else if (r.signal) info = `${info}${info ? '\n' : ''}Killed by ${r.signal}`.trim();
  if (r.spawnError !== undefined) fatal = `cannot start command: ${r.spawnError}`;
  else if (r.exitCode === 126 || r.exitCode === 127) fatal = `cannot start command (exit ${r.exitCode}): ${info || 'no output'}`;
  if (fatal !== undefined && info === '') info = fatal;
  return { state: stateFromExit(r), info, metrics, fatal };
}
