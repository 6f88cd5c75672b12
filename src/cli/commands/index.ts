import type { Command } from 'commander';

/** Every `vigil` sub-command registers itself through one function in this list. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [];
