// Development entry of the OpenTSDB parser thread when the server runs from TypeScript sources
// (tests under tsx): registers tsx in the thread, then loads the parser. Built servers load
// opentsdb-parse-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./opentsdb-parse-worker.ts');
