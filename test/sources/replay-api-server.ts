import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One expected request and how to answer it. */
export interface Step {
  /** Path and the query parameters that must be present with these values. */
  path: string;
  query?: Record<string, string | null>;
  answer(response: ServerResponse): void | Promise<void>;
}

/**
 * A stand-in kube-apiserver that replays recorded responses in order (no API server can be
 * installed here). Every request must match the next step; a mismatch is recorded and answered
 * 500. A request after the last step is held open and ends the script, so a test waits for
 * `finished` instead of a clock.
 */
export class ReplayApiServer {
  readonly mismatches: string[] = [];
  readonly requests: string[] = [];
  /** The request that came after the script (its URL), once it came. */
  readonly finished: Promise<URL>;
  private finish!: (url: URL) => void;
  private readonly server: Server;
  private next = 0;

  constructor(
    private readonly steps: readonly Step[],
    private readonly token: string,
  ) {
    this.finished = new Promise((resolve) => (this.finish = resolve));
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://replay');
    this.requests.push(`${url.pathname}${url.search}`);
    if (request.headers.authorization !== `Bearer ${this.token}`) this.mismatches.push(`request ${this.requests.length} without the bearer token`);
    const step = this.steps[this.next];
    if (!step) {
      this.finish(url);
      return; // held open until the watcher stops
    }
    this.next += 1;
    const problem = mismatch(step, url);
    if (problem) {
      this.mismatches.push(`request ${this.requests.length}: ${problem}`);
      response.writeHead(500).end();
      this.finish(url);
      return;
    }
    await step.answer(response);
  }
}

function mismatch(step: Step, url: URL): string | undefined {
  if (url.pathname !== step.path) return `expected ${step.path}, got ${url.pathname}`;
  for (const [key, value] of Object.entries(step.query ?? {})) {
    if (url.searchParams.get(key) !== value) return `expected ${key}=${String(value)} on ${url.pathname}, got ${url.searchParams.get(key)}`;
  }
  return undefined;
}

export const json = (status: number, body: string) => (response: ServerResponse) => {
  response.writeHead(status, { 'content-type': 'application/json' }).end(body);
};

/** A watch response: frames, then a normal end of the stream. */
export const frames = (body: string) => (response: ServerResponse) => {
  response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }).end(body);
};

/** A watch response that breaks off mid-frame once `delivered` says the whole frames were taken in. */
export const dropAfter = (body: string, cutFrame: string, delivered: () => Promise<void>) => async (response: ServerResponse) => {
  response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  response.write(body + cutFrame);
  await delivered();
  response.socket?.destroy();
};
