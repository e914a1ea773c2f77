// Every probe type by name. Adding a probe: its file plus one line here.
import { execProbe } from './exec.js';
import { httpProbe } from './http.js';
import { tcpProbe } from './tcp.js';
import { dnsProbe } from './dns.js';
import { nagiosProbe } from './nagios.js';
import type { ProbeFactory } from './types.js';

/** Probe factories keyed by `type`. */
export const PROBES: ReadonlyMap<string, ProbeFactory> = new Map<string, ProbeFactory>(
  [execProbe, httpProbe, tcpProbe, dnsProbe, nagiosProbe].map((p) => [p.type, p]),
);
