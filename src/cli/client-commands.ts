// Registers the `client` command group (placeholder until its module lands).
import type { Command } from 'commander';

/** Adds this group's commands to the program. */
export function registerClientCommands(_program: Command): void {}
