// Perfdata that OverC status reports carry (`services[].metrics`, Nagios-style) become samples:
// series `<service>.<label>` with the tag host=<server name>, at the time the report was received.
// A Nagios UOM of `c` (continuous counter) makes a counter series; everything else is a gauge.
import type { OvercReportEvent } from './overc-routes.js';
import type { SampleSink } from './samples.js';

/** What happened to the metrics of one report. */
export interface PerfdataOutcome {
  accepted: number;
  /** Refused metrics as `<service>.<label>: why`. */
  rejected: string[];
}

/** Appends the report's metrics to `sink` and resolves once they are durable. */
export async function storeOvercPerfdata(sink: SampleSink, projectId: number, event: OvercReportEvent): Promise<PerfdataOutcome> {
  const out: PerfdataOutcome = { accepted: 0, rejected: [] };
  for (const service of event.services) {
    for (const m of service.metrics) {
      const name = `${service.name}.${m.name}`;
      const err = sink.append(projectId, name, { host: event.hostName }, event.at, m.value, m.unit === 'c' ? 'counter' : 'gauge');
      if (err === null) out.accepted++;
      else out.rejected.push(`${name}: ${err}`);
    }
  }
  if (out.accepted > 0) await sink.commit();
  return out;
}
