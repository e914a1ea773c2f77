#!/usr/bin/env node
// `npm run bench` (after `npm run build`): runs each benchmark section in turn and prints its figures.
// A section is a module exporting `name`, `description` and `run({ runs, durationMs, log })`, which
// resolves to a summary { title, lines: string[] }. Add a section by adding one row to SECTIONS.
//
// Usage: node bench/run.mjs [--only name[,name...]] [--runs N] [--duration SECONDS] [--connections N] [--quick] [--list]
import { parseArgs } from 'node:util';

/** Every section, in the order they run. */
const SECTIONS = [
  { name: 'overc', description: 'OverC set/service/status reports over loopback, durable acknowledgement', load: () => import('./overc-load.mjs') },
  { name: 'metrics', description: 'OpenTSDB ingest, statsd, bytes/sample, range query, RSS, side by side with VictoriaMetrics and statsd', load: () => import('./metrics.mjs') },
  { name: 'alerts', description: '10,000 checks expiring in the same second: idle CPU, deadline to last webhook delivery', load: () => import('./alerts.mjs') },
  { name: 'ui', description: 'dashboard in chromium: overview of 10,000 checks, chart of 1,000 x 10 points, JS size', load: () => import('./ui.mjs') },
  { name: 'postgres', description: 'durable OverC services/s and OpenTSDB samples/s on 1 and 2 PostgreSQL nodes next to SQLite (needs OVERSEE_TEST_PG_URL or a local PostgreSQL)', load: () => import('./pg-scale.mjs') },
];

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string' },
    quick: { type: 'boolean', default: false }, // smaller data for a smoke run (sections that support it)
    list: { type: 'boolean', default: false },
  },
});

if (values.list) {
  for (const s of SECTIONS) console.log(`${s.name.padEnd(12)} ${s.description}`);
  process.exit(0);
}

const only = (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
const unknown = only.filter((n) => !SECTIONS.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(`bench: unknown section(s): ${unknown.join(', ')} (known: ${SECTIONS.map((s) => s.name).join(', ')})`);
  process.exit(2);
}
const runs = Number(values.runs);
const durationMs = Number(values.duration) * 1000;
if (!Number.isInteger(runs) || runs < 1 || !(durationMs > 0)) {
  console.error('bench: --runs must be a positive integer and --duration a positive number of seconds');
  process.exit(2);
}

const selected = SECTIONS.filter((s) => only.length === 0 || only.includes(s.name));
const summaries = [];
// A failing section is reported and the others still run; the exit code says that one failed.
for (const section of selected) {
  console.log(`\n== ${section.name}: ${section.description}`);
  try {
    const mod = await section.load();
    const extra = values.connections === undefined ? {} : { connections: Number(values.connections) };
    const summary = await mod.run({ runs, durationMs, ...extra, ...(values.quick ? { quick: true } : {}), log: (line) => console.log(`  ${line}`) });
    summaries.push(summary);
  } catch (err) {
    console.error(`  ${section.name} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    summaries.push({ title: `${section.name}: FAILED`, lines: [err instanceof Error ? err.message.split('\n')[0] : String(err)] });
    process.exitCode = 1;
  }
}

console.log('\n== summary (median of each figure over the runs)');
for (const s of summaries) {
  console.log(s.title);
  for (const line of s.lines) console.log(`  ${line}`);
}
