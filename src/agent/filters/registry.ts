// Every filter type by name.
import { averageFilter } from './average.js';
import type { FilterFactory } from './types.js';

/** Filter factories keyed by `type`. */
export const FILTERS: ReadonlyMap<string, FilterFactory> = new Map<string, FilterFactory>([[averageFilter.type, averageFilter]]);
