// goma's `env = ["K=V", …]` lists: merged over the agent's own environment.

/** The child environment: process env overridden by `KEY=VALUE` entries. */
export function mergeEnv(list: string[] | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const e of list ?? []) {
    const i = e.indexOf('=');
    if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
  }
  return env;
}
