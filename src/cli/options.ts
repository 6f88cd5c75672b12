import { Option } from 'commander';
import { UsageError } from './exit.js';

export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `--data-dir`, shared by every command that opens the store. */
export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'where Vigil keeps its data').env('VIGIL_DATA_DIR').default('./vigil-data');
}

export function outputOption(defaultFormat: OutputFormat = 'table'): Option {
  return new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default(defaultFormat);
}

export function clusterOption(): Option {
  return new Option('--cluster <name>', 'name of the cluster the records come from (audit events carry none)')
    .env('VIGIL_CLUSTER')
    .default('default');
}

/** Parses a positive integer flag, naming the flag in the error. */
export function positiveInteger(flag: string): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) throw new UsageError(`${flag} must be a positive whole number, got "${value}"`);
    return number;
  };
}
