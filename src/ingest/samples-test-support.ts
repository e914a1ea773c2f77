// A SampleSink for route tests: records what it is given and can be told to fail, so that a route's
// answers and its "nothing acknowledged on failure" rule can be checked without the tsdb.
import type { IngestSample, SampleSink } from './samples.js';

/** Records writes; `problem` refuses names over 256 characters like the tsdb does. */
export class RecordingSink implements SampleSink {
  written: { projectId: number; samples: IngestSample[] }[] = [];
  /** When set, the next writes reject with this error. */
  failWith: Error | null = null;

  problem(name: string): string | null {
    return name.length > 256 ? 'name: longer than 256 characters' : null;
  }

  async write(projectId: number, samples: readonly IngestSample[]): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.written.push({ projectId, samples: [...samples] });
  }

  /** Every sample written so far, in order. */
  all(): IngestSample[] {
    return this.written.flatMap((w) => w.samples);
  }

  count(): number {
    return this.written.reduce((n, w) => n + w.samples.length, 0);
  }
}
