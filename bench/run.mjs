#!/usr/bin/env node
// `npm run bench` (after `npm run build`): runs each benchmark section in turn and prints its figures.
// A section is a module exporting `name`, `description` and `run({ runs, durationMs, log })`, which
// resolves to a summary { title, lines: string[] }. Add a section by adding one row to SECTIONS.
//
// Usage: node bench/run.mjs [--only name[,name...]] [--runs N] [--duration SECONDS] [--connections N] [--list]
import { parseArgs } from 'node:util';

/** Every section, in the order they run. */
const SECTIONS = [
  { name: 'overc', description: 'OverC set/service/status reports over loopback, durable acknowledgement', load: () => import('./overc-load.mjs') },
];

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string' },
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
for (const section of selected) {
  console.log(`\n== ${section.name}: ${section.description}`);
  const mod = await section.load();
  const extra = values.connections === undefined ? {} : { connections: Number(values.connections) };
  const summary = await mod.run({ runs, durationMs, ...extra, log: (line) => console.log(`  ${line}`) });
  summaries.push(summary);
}

console.log('\n== summary (median of each figure over the runs)');
for (const s of summaries) {
  console.log(s.title);
  for (const line of s.lines) console.log(`  ${line}`);
}
