/** kubectl-style exit statuses shared by every command. */
export const exitCodes = { ok: 0, problems: 1, usage: 2 } as const;

/** A mistake in how the command was called; reported without a stack trace, exit status 2. */
export class UsageError extends Error {}
