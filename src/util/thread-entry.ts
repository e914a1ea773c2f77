// Where a worker thread's entry module is: the built `<name>.js` next to the caller, or, when the
// server runs from TypeScript sources (tests under tsx), the `<name>.dev.mjs` bootstrap beside it
// that registers tsx in the thread before loading `<name>.ts`.

/** The entry of worker thread `name` for the module at `callerUrl` (its import.meta.url). */
export function threadEntryUrl(callerUrl: string, name: string): URL {
  return new URL(callerUrl.endsWith('.ts') ? `./${name}.dev.mjs` : `./${name}.js`, callerUrl);
}
