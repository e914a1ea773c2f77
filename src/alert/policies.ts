// Named heartbeat policies (okerr): a period and a patience that ingest adapters may refer to by name.

/** A heartbeat policy: report every `periodS`; expire after `periodS + patienceS` of silence. */
export interface HeartbeatPolicy {
  periodS: number;
  patienceS: number;
}

/** okerr's built-in policies: "Default" (1 h + 20 min) and "Daily" (1 day + 2 h). */
export const HEARTBEAT_POLICIES: Readonly<Record<string, HeartbeatPolicy>> = {
  Default: { periodS: 3600, patienceS: 1200 },
  Daily: { periodS: 86_400, patienceS: 7200 },
};

/** The policy of that name (case-insensitive), or null when there is none. */
export function heartbeatPolicy(name: string): HeartbeatPolicy | null {
  const key = Object.keys(HEARTBEAT_POLICIES).find((k) => k.toLowerCase() === name.trim().toLowerCase());
  return key ? (HEARTBEAT_POLICIES[key] as HeartbeatPolicy) : null;
}
