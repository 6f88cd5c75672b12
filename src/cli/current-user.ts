import { userInfo } from 'node:os';

/** Who runs the command, for the ledger records of what it changes when no --actor is given. */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A uid without a passwd entry (common in containers) has no name.
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}
