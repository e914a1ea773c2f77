// Measures the CPU an agent uses for N tcp monitors at a 10 s interval (issue 4's closing figure).
// Usage: npm run build && npx tsx src/agent/test-support/measure-cpu.ts [N=1000] [seconds=60] [--push] [--profile]
// Spawns a TCP target, optionally an `oversee serve` to push to, and `oversee agent`; reads the
// agent's utime+stime from /proc after a warm-up and prints the share of one core.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = new URL('../../../', import.meta.url).pathname;
const BIN = join(REPO, 'bin', 'oversee');
const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
const seconds = Number(args.filter((a) => /^\d+$/.test(a))[1] ?? 60);
const push = args.includes('--push');
const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

async function waitFor(proc: ReturnType<typeof spawn>, re: RegExp): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const on = (c: Buffer): void => {
      out += c.toString();
      const m = re.exec(out);
      if (m) resolve(m[1] ?? m[0]);
    };
    proc.stdout?.on('data', on);
    proc.stderr?.on('data', (c: Buffer) => { out += c.toString(); });
    proc.on('exit', () => reject(new Error(`exited: ${out}`)));
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-cpu-'));
  const target = createServer((s) => { s.on('error', () => {}); s.end(); });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const port = (target.address() as { port: number }).port;
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  let toml = '';
  for (let i = 0; i < n; i++) {
    toml += `[[monitor]]\nname = "tcp-${i}"\ninterval = 10\ntimeout = 5\nmax = 1\n[monitor.probe]\ntype = "tcp"\nhost = "127.0.0.1"\nport = ${port}\n`;
    toml += push ? '' : '[[monitor.actions]]\ntype = "exec"\ncommand = "/bin/true"\n';
    toml += push ? 'actions = []\n' : '';
  }
  // `actions = []` must come before sub-tables in TOML: rebuild push configs properly.
  if (push) {
    toml = '';
    for (let i = 0; i < n; i++) toml += `[[monitor]]\nname = "tcp-${i}"\ninterval = 10\ntimeout = 5\nmax = 1\nactions = []\n[monitor.probe]\ntype = "tcp"\nhost = "127.0.0.1"\nport = ${port}\n`;
  }
  writeFileSync(join(conf, 'monitors.toml'), toml);
  let server: ReturnType<typeof spawn> | undefined;
  const pre: string[] = [];
  if (push) {
    server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await waitFor(server, /Oversee listening on (http:\/\/\S+)/);
    pre.push('-s', url, '-i', 'cpu-host:k');
  }
  const profile = args.includes('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profile')}`] : [];
  const agent = spawn(process.execPath, [...profile, BIN, ...pre, 'agent', '-d', conf, '--listen', '127.0.0.1:0', '--allow-root', '--state-dir', join(dir, 'state'), '--verbosity', 'error'], { stdio: ['ignore', 'pipe', 'pipe'] });
  process.on('exit', () => { agent.kill('SIGKILL'); server?.kill('SIGKILL'); });
  await waitFor(agent, /Oversee agent listening on (\S+)/);
  const pid = agent.pid ?? 0;
  await new Promise((r) => setTimeout(r, 15_000)); // warm-up: every monitor has run at least once
  const t0 = cpuTicks(pid);
  const w0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const t1 = cpuTicks(pid);
  const wall = (Date.now() - w0) / 1000;
  const share = (t1 - t0) / TICKS / wall;
  console.log(`${n} tcp monitors @10 s${push ? ' with push to a local server' : ''}: agent CPU ${(share * 100).toFixed(2)} % of one core over ${wall.toFixed(0)} s (${((share * 100) / n * 1000).toFixed(3)} % per 1000 monitors), RSS ${(rssKb(pid) / 1024).toFixed(0)} MiB`);
  agent.kill('SIGTERM');
  server?.kill('SIGTERM');
  if (profile.length > 0) console.log(`profile in ${join(dir, 'profile')}`);
  target.close();
}

void main();
