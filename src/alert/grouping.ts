// Grouping: pending deliveries of one host to one channel that arrive within a window go out as one
// message. The window opens with the group's first delivery; 0 sends each delivery on its own.

/** A delivery waiting to be sent. */
export interface PendingDelivery {
  id: number;
  channel: string;
  /** Deliveries with equal keys (one host, usually) may share a message. */
  groupKey: string;
  createdAt: number;
}

/** Deliveries that go out together. */
export interface DeliveryGroup {
  channel: string;
  groupKey: string;
  ids: number[];
}

/** Splits pending deliveries into groups ready at `now` and the time the next group becomes ready. */
export function readyGroups(pending: readonly PendingDelivery[], now: number, windowMs: number): { ready: DeliveryGroup[]; wakeAt: number | null } {
  if (windowMs <= 0) {
    return { ready: pending.map((p) => ({ channel: p.channel, groupKey: p.groupKey, ids: [p.id] })), wakeAt: null };
  }
  const groups = new Map<string, { group: DeliveryGroup; opened: number }>();
  for (const p of [...pending].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)) {
    const key = `${p.channel}\u0000${p.groupKey}`;
    const g = groups.get(key);
    if (g) g.group.ids.push(p.id);
    else groups.set(key, { group: { channel: p.channel, groupKey: p.groupKey, ids: [p.id] }, opened: p.createdAt });
  }
  const ready: DeliveryGroup[] = [];
  let wakeAt: number | null = null;
  for (const { group, opened } of groups.values()) {
    const closes = opened + windowMs;
    if (closes <= now) ready.push(group);
    else wakeAt = wakeAt === null ? closes : Math.min(wakeAt, closes);
  }
  return { ready, wakeAt };
}
