// `oversee user add NAME [--role R] [--project P] [--grant P:R]…`, `user list`, `user remove NAME` and
// `user passwd NAME`: manage dashboard accounts directly in the server's store (SQLite file or
// PostgreSQL, chosen as `serve` chooses it; works while the server runs). The password comes from
// stdin with --password-stdin, else a random one is generated and printed once.
import { randomBytes } from 'node:crypto';
import { Option } from 'commander';
import type { Command } from 'commander';
import { globalRole, ROLES, type Grant } from '../api/auth.js';
import type { Role } from '../domain/types.js';
import { OverseeError } from '../errors.js';
import type { Store } from '../store/types.js';
import { hashPassword, passwordProblem } from '../users/password.js';
import { createUserChecked } from '../users/routes.js';
import { CliError } from './main.js';
import { addStoreOptions, openConfiguredStore, type OpenedStore, type StoreOptions } from './store-access.js';

/** Reads all of stdin and returns its first line (without the newline). */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** Where the commands write (process streams by default; tests pass their own). */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CommandOutput = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
};

/** Parses one `--grant PROJECT:ROLE` (PROJECT `*` = every project); CliError naming the bad part. */
export function parseGrantOption(text: string): { project: string | null; role: Role } {
  const at = text.lastIndexOf(':');
  const project = at < 0 ? '' : text.slice(0, at).trim();
  const role = at < 0 ? '' : text.slice(at + 1).trim();
  if (project === '' || !ROLES.includes(role as Role)) {
    throw new CliError(`--grant ${JSON.stringify(text)}: expected PROJECT:ROLE with ROLE one of ${ROLES.join(', ')} (PROJECT * = every project)`);
  }
  return { project: project === '*' ? null : project, role: role as Role };
}

/** The project id of a name (null for none); CliError when there is no such project. */
async function projectIdOf(store: Store, name: string | null): Promise<number | null> {
  if (name === null) return null;
  const project = await store.projects.getByName(name);
  if (!project) throw new CliError(`no project named ${JSON.stringify(name)}`);
  return project.id;
}

/** Runs `fn` on the opened store; store errors become CliErrors with their message; always closes. */
async function withStore<T>(opts: StoreOptions, fn: (s: OpenedStore) => Promise<T>): Promise<T> {
  const opened = await openConfiguredStore(opts);
  try {
    return await fn(opened);
  } catch (err) {
    if (err instanceof OverseeError) throw new CliError(err.message);
    throw err;
  } finally {
    await opened.close();
  }
}

/** `*:admin web:viewer` — a user's grants as one word per grant, with project names. */
async function grantsText(store: Store, grants: readonly Grant[]): Promise<string> {
  const names = new Map((await store.projects.list()).map((p) => [p.id, p.name]));
  return grants.map((g) => `${g.projectId === null ? '*' : names.get(g.projectId) ?? String(g.projectId)}:${g.role}`).join(' ') || '-';
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds `user add`, `user list`, `user remove` and `user passwd` to the program. */
export function registerUserCommands(program: Command, io: CommandOutput = processOutput): void {
  const user = program.command('user').description('manage dashboard users (accounts with passwords and roles per project)');
  addStoreOptions(user
    .command('add <name>')
    .description('create a user; prints a generated password unless --password-stdin is given')
    .addOption(new Option('--role <role>', 'what the user may do (in --project, else in every project)').choices(ROLES))
    .option('--project <name>', 'give --role in this project only (default: every project)')
    .option('--grant <project:role>', 'a role in one project (project * = every project); repeatable, instead of --role/--project', collect, [])
    .option('--password-stdin', 'read the password from the first line of stdin'))
    .action(async (name: string, opts: StoreOptions & { role?: Role; project?: string; grant: string[]; passwordStdin?: boolean }) => {
      if (opts.grant.length > 0 && (opts.role !== undefined || opts.project !== undefined)) {
        throw new CliError('give either --grant (repeatable) or --role/--project, not both');
      }
      const wanted = opts.grant.length > 0 ? opts.grant.map(parseGrantOption) : [{ project: opts.project ?? null, role: opts.role ?? 'viewer' }];
      const password = opts.passwordStdin ? await readPasswordFromStdin() : randomBytes(12).toString('base64url');
      await withStore(opts, async ({ store, users }) => {
        const grants: Grant[] = [];
        for (const g of wanted) grants.push({ projectId: await projectIdOf(store, g.project), role: g.role });
        const created = await createUserChecked(users, store, { name, password, grants }, Date.now());
        io.err(`Created user ${JSON.stringify(created.name)} (id ${created.id}) with ${await grantsText(store, created.grants)}.\n`);
        if (!opts.passwordStdin) io.out(`Password (shown once): ${password}\n`);
      });
    });
  addStoreOptions(user.command('list').description('list users with their roles per project (* = every project)'))
    .action(async (opts: StoreOptions) => {
      await withStore(opts, async ({ store, users }) => {
        for (const u of await users.listUsers()) io.out(`${u.id}\t${u.name}\t${await grantsText(store, u.grants)}\n`);
      });
    });
  addStoreOptions(user.command('remove <name>').description('delete a user and end its sessions (not the last admin of every project)'))
    .action(async (name: string, opts: StoreOptions) => {
      await withStore(opts, async ({ users }) => {
        const target = await users.getUserByName(name);
        if (target === null) throw new CliError(`no user named ${JSON.stringify(name)}`);
        if (globalRole(target.grants) === 'admin' && !(await users.listUsers()).some((u) => u.id !== target.id && globalRole(u.grants) === 'admin')) {
          throw new CliError(`${JSON.stringify(name)} is the last admin of every project; make another admin first`);
        }
        await users.deleteUser(target.id);
        io.err(`Removed user ${JSON.stringify(target.name)} (id ${target.id}).\n`);
      });
    });
  addStoreOptions(user.command('passwd <name>')
    .description('set a user\'s password (ends its sessions); prints a generated one unless --password-stdin is given')
    .option('--password-stdin', 'read the password from the first line of stdin'))
    .action(async (name: string, opts: StoreOptions & { passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await readPasswordFromStdin() : randomBytes(12).toString('base64url');
      const problem = passwordProblem(password);
      if (problem !== null) throw new CliError(`password: ${problem}`);
      await withStore(opts, async ({ users }) => {
        const target = await users.getUserByName(name);
        if (target === null) throw new CliError(`no user named ${JSON.stringify(name)}`);
        await users.updateUser(target.id, { passwordHash: await hashPassword(password) });
        await users.deleteUserSessions(target.id);
        io.err(`Set the password of ${JSON.stringify(target.name)}; its sessions are ended.\n`);
        if (!opts.passwordStdin) io.out(`Password (shown once): ${password}\n`);
      });
    });
}
