/** An alerting action that cannot be taken: `not-found` (no such alert/silence) or `conflict` (e.g. already resolved). */
export class AlertActionError extends Error {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'conflict' | 'invalid',
  ) {
    super(message);
  }
}
