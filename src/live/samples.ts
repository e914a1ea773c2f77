// A SampleSink decorator that publishes accepted samples as live `samples` events once they are
// durable, so open charts redraw within a second. Wrap the sink an ingest path writes to.
import type { SampleSink } from '../ingest/samples.js';
import type { LiveEvents, LiveSample } from './events.js';

/** Most samples one event carries; more are sent as several events. */
export const MAX_SAMPLES_PER_EVENT = 500;

/**
 * Returns a sink that forwards to `sink` and, after each successful commit, publishes what was
 * accepted since the previous commit (grouped per project). One instance per caller: the pending
 * list is not shared between concurrent users of different wrappers.
 */
export function liveSampleSink(sink: SampleSink, live: LiveEvents): SampleSink {
  let pending = new Map<number, LiveSample[]>();
  return {
    append(projectId, name, tags, timestampMs, value, type) {
      const err = sink.append(projectId, name, tags, timestampMs, value, type);
      if (err === null) {
        let list = pending.get(projectId);
        if (list === undefined) pending.set(projectId, (list = []));
        list.push({ name, tags: { ...tags }, t: timestampMs, v: value });
      }
      return err;
    },
    async commit() {
      const batch = pending;
      pending = new Map();
      await sink.commit();
      for (const [projectId, samples] of batch) {
        for (let i = 0; i < samples.length; i += MAX_SAMPLES_PER_EVENT) {
          live.publish({ type: 'samples', projectId, samples: samples.slice(i, i + MAX_SAMPLES_PER_EVENT) });
        }
      }
    },
  };
}
