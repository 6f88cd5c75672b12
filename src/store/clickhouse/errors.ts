/**
 * A failed ClickHouse call, told apart by what the caller should do: `retryable` errors (server
 * down, network, overload, too many parts) go away by backing off and trying the same thing
 * again; the others (a bad row, bad SQL, a missing table) will fail the same way every time.
 */
export class ClickHouseStoreError extends Error {
  constructor(
    message: string,
    /** ClickHouse's error code (`Code: N` in the response body) when the server answered. */
    readonly code: number | undefined,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClickHouseStoreError';
  }
}

/**
 * Server error codes worth a retry (ClickHouse's ErrorCodes.cpp): timeouts, network trouble
 * between servers, overload and memory pressure, read-only replicas, and too many parts
 * (inserts faster than merges: wait and the merges catch up).
 */
const RETRYABLE_CODES = new Set([
  159, // TIMEOUT_EXCEEDED
  164, // READONLY (a replica that lost ZooKeeper)
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  279, // ALL_CONNECTION_TRIES_FAILED
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
]);

const NETWORK_ERRORS = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|socket hang up|Timeout error|other side closed|aborted/i;

/**
 * Wraps whatever the client threw. The code is read from the message body (`Code: 252, …`):
 * ClickHouse 18.16 formats errors in a way the client does not parse, and some data errors come
 * back as HTTP 500, so the status says nothing about the kind.
 * @param context what was being done, e.g. `inserting 5000 events of day 20260301 into vigil.events`.
 */
export function classifyError(error: unknown, context: string): ClickHouseStoreError {
  if (error instanceof ClickHouseStoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const codeText = /\bCode: (\d+)/.exec(message)?.[1] ?? clientCode(error);
  const code = codeText === undefined ? undefined : Number(codeText);
  const retryable = code === undefined ? NETWORK_ERRORS.test(message) || networkErrorCode(error) : RETRYABLE_CODES.has(code);
  const detail = firstLine(message);
  const advice = retryable ? 'retry after a back-off' : 'the same request will fail again; fix the data or the schema';
  return new ClickHouseStoreError(`ClickHouse failed ${context}: ${detail} (${advice})`, code, retryable, { cause: error });
}

/** Newer servers' errors as parsed by @clickhouse/client carry the code as a string property. */
function clientCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^\d+$/.test(code) ? code : undefined;
}

function networkErrorCode(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_ERRORS.test(code);
}

function firstLine(message: string): string {
  const cleaned = message.replace(/, e\.what\(\) = DB::Exception\s*$/, '').replace(/e\.displayText\(\) = DB::Exception: /, '');
  const line = cleaned.split('\n').find((part) => part.trim() !== '') ?? cleaned;
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
