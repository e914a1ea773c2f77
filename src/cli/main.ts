// The `oversee` command tree. Each group of commands lives in its own module and registers itself here.
import { Command, CommanderError } from 'commander';
import { registerServeCommands } from './serve-commands.js';
import { registerClientCommands } from './client-commands.js';
import { registerAgentCommands } from './agent-commands.js';
import { registerAlertCommands } from './alert-commands.js';
import { registerMigrateCommand } from './migrate-command.js';
import { registerUserCommands } from './user-commands.js';
import { VERSION } from '../version.js';

/** An error that ends the command with a message on stderr and the given exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Builds the command tree (exported for tests that inspect it). */
export function buildProgram(): Command {
  const program = new Command('oversee')
    .description('Oversee: self-hosted monitoring server, agent and overcli-compatible client')
    .version(VERSION)
    .enablePositionalOptions()
    .option('-s, --server <url>', 'Oversee/OverC server URL for client commands (env OVERSEE_SERVER)')
    .option('-i, --server-id <name:key>', 'host identification for client commands (env OVERSEE_SERVER_ID)')
    .exitOverride();
  registerServeCommands(program);
  registerClientCommands(program);
  registerAgentCommands(program);
  registerAlertCommands(program);
  registerMigrateCommand(program);
  registerUserCommands(program);
  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end with exit code 0; usage errors were already printed by commander.
      return err.exitCode;
    }
    if (err instanceof CliError) {
      console.error(`oversee: ${err.message}`);
      return err.exitCode;
    }
    throw err;
  }
}
