// The probe contract: a probe measures one number (goma), and may also say a state, text and metrics.
import type { GomaOrigin } from '../../protocols/goma-monitor.js';
import type { OvercState, ServiceMetric } from '../../client/index.js';

/** One measurement. */
export interface ProbeResult {
  value: number;
  /** A state the probe knows by itself (Nagios plugins); otherwise min/max decide. */
  state?: OvercState;
  info?: string;
  metrics?: ServiceMetric[];
}

/** A configured probe. `probe` never rejects: failures become the probe's error value. */
export interface Probe {
  probe(timeoutMs: number): Promise<ProbeResult>;
  describe(): string;
}

/** Builds a probe from its parameters; throws GomaMonitorError naming the key. */
export interface ProbeFactory {
  type: string;
  create(params: Record<string, unknown>, origin: GomaOrigin, path: string): Probe;
}
