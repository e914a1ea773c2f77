// The OpenTSDB point table shared by the reference parser's tests and the fast path's differential tests.

/** A valid point (the OpenTSDB documentation example). */
export const ok = { metric: 'sys.cpu.nice', timestamp: 1346846400, value: 18, tags: { host: 'web01', dc: 'lga' } };
/** One point each, and the error OpenTSDB reports for it (null: accepted). */
export const CASES: Array<{ name: string; dp: unknown; error: string | null }> = [
  { name: 'the documentation example', dp: ok, error: null },
  { name: 'millisecond timestamp', dp: { ...ok, timestamp: 1346846400123 }, error: null },
  { name: 'value as a numeric string', dp: { ...ok, value: '42.5' }, error: null },
  { name: 'timestamp as a string', dp: { ...ok, timestamp: '1346846400' }, error: null },
  { name: 'no tags are accepted (lenient, like VictoriaMetrics)', dp: { metric: 'a', timestamp: 1, value: 1 }, error: null },
  { name: 'numeric tag value', dp: { ...ok, tags: { port: 80 } }, error: null },
  { name: 'empty metric', dp: { ...ok, metric: '' }, error: 'Metric name was empty' },
  { name: 'missing metric', dp: { timestamp: 1, value: 1 }, error: 'Metric name was empty' },
  { name: 'zero timestamp', dp: { ...ok, timestamp: 0 }, error: 'Invalid timestamp' },
  { name: 'timestamp with 14 digits', dp: { ...ok, timestamp: 13468464001234 }, error: 'Invalid timestamp' },
  { name: 'missing value', dp: { ...ok, value: undefined }, error: 'Empty value' },
  { name: 'value not a number', dp: { ...ok, value: 'abc' }, error: 'Unable to parse value to a number' },
  { name: 'tags not an object', dp: { ...ok, tags: 'host=a' }, error: 'Missing tags' },
  { name: 'illegal metric character', dp: { ...ok, metric: 'a b' }, error: 'Invalid metric name ("a b"): illegal character:  ' },
  { name: 'illegal tag value character', dp: { ...ok, tags: { host: 'a*b' } }, error: 'Invalid tag value ("a*b"): illegal character: *' },
  { name: 'not an object', dp: 42, error: 'Unable to parse the data point' },
];
