/**
 * The bus could not take a batch (NATS down or reconnecting, JetStream not answering, no
 * partition mapping): receivers answer 503 with Retry-After, so senders keep the batch and retry.
 */
export class BusUnavailableError extends Error {
  override name = 'BusUnavailableError';
  readonly retryAfterSeconds = 2;
}
