// Development entry of the chunk encoder thread when the server runs from TypeScript sources
// (tests under tsx): registers tsx in the thread, then loads the encoder. Built servers load
// chunk-encoder-thread.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./chunk-encoder-thread.ts');
