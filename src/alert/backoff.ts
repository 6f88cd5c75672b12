/**
 * Delay before retry number `attempt` (1 = the first retry): exponential from `baseMs`, capped
 * at `maxMs`, with "full jitter" (uniform between 0 and the cap) so that many notifications
 * failing together do not retry together. Never below `minMs` (e.g. a receiver's Retry-After).
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random, minMs = 0): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(minMs, Math.round(random() * ceiling));
}
