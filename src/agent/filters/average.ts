// goma `average` filter: moving average over the last `window` values (default 10), the window
// starting full of `init` (default 0).
import { checkParams, errorAt, type ParamSchema } from '../../protocols/goma-monitor.js';
import type { FilterFactory } from './types.js';

const SCHEMA = { init: { type: 'number' }, window: { type: 'number' } } as const satisfies ParamSchema;

/** The average filter. */
export const averageFilter = {
  type: 'average',
  create(params, origin, path) {
    const p = checkParams(params, SCHEMA, origin, path);
    const size = p.window ?? 10;
    if (!Number.isInteger(size) || size < 1) throw errorAt(origin, `${path}.window`, `must be an integer ≥ 1, got ${size}`);
    const init = p.init ?? 0;
    const values = new Array<number>(size).fill(init);
    let index = 0;
    return {
      describe: () => `filter:average(window=${size}, init=${init})`,
      reset() { values.fill(init); index = 0; },
      put(v) {
        values[index] = v;
        index = (index + 1) % size;
        let sum = 0;
        for (const x of values) sum += x;
        return sum / size;
      },
    };
  },
} satisfies FilterFactory;
