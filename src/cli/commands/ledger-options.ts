import { Option } from 'commander';

/** `--witness DIR`, repeatable: directories (ideally on other volumes) that keep every checkpoint. */
export function witnessOption(description = 'copy every checkpoint to this directory (repeatable; ideally another volume)'): Option {
  return new Option('--witness <dir>', description).argParser(collect).default([]);
}

/** `--signing-key FILE` / VIGIL_SIGNING_KEY: the Ed25519 key that signs checkpoints; default <data dir>/ledger.key. */
export function signingKeyOption(): Option {
  return new Option('--signing-key <file>', 'Ed25519 private key (PEM) that signs checkpoints; default <data-dir>/ledger.key').env('VIGIL_SIGNING_KEY');
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
