import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { k8sEventSource } from '../k8s-event.js';
import { isObject, withTypeMeta } from '../k8s-event/event-shape.js';
import type { ReadBatch } from '../read.js';
import { splitLines, textLineOf } from '../records.js';
import { Backoff, pause } from './backoff.js';
import type { CheckpointFile } from './checkpoint-file.js';
import { type EventsApi, discoverEventsApi, eventsPath } from './events-api.js';
import { discard, kubeGet, readJson, statusError } from './kube-http.js';
import { type BatchSink, type LiveLog, type LiveSource, type LiveStats, type ProblemReporter, SILENT_LOG, bump, countBatch, countError, emptyStats } from './live-source.js';

type Json = Record<string, unknown>;

export interface EventsCheckpoint {
  api: EventsApi;
  resourceVersion: string;
}

export interface EventsWatcherOptions {
  name: string;
  cluster: string;
  config: KubeConfig;
  /** Only this namespace; all namespaces when absent. */
  namespace?: string;
  api?: EventsApi | 'auto';
  checkpoint?: CheckpointFile<EventsCheckpoint>;
  pageSize?: number;
  /** The server ends each watch after this long (plus nothing lost: the next one resumes). */
  watchTimeoutSeconds?: number;
  backoff?: Backoff;
  log?: LiveLog;
  problems?: ProblemReporter;
}

/** A watch frame or list page larger than this is quarantined, not parsed. */
const MAX_FRAME_BYTES = 4 << 20;

/**
 * Keeps every Kubernetes Event, which the API server deletes after an hour: lists, then
 * watches from the list's resourceVersion with bookmarks; a dropped connection resumes from the
 * last resourceVersion stored, a 410 Gone relists. Each (uid, resourceVersion) is delivered
 * once: a relist skips versions already delivered, and the position advances only after the
 * sink stored the batch, so a failed store is retried rather than skipped.
 */
export class EventsWatcher implements LiveSource {
  readonly name: string;
  private readonly counters: LiveStats = emptyStats();
  /** uid → resourceVersion delivered, for the Events the server still holds. */
  private readonly delivered = new Map<string, string>();
  private readonly abort = new AbortController();
  private readonly log: LiveLog;
  private running?: Promise<void>;
  private api?: EventsApi;
  private resourceVersion?: string;

  constructor(private readonly options: EventsWatcherOptions) {
    this.name = options.name;
    this.log = options.log ?? SILENT_LOG;
  }

  start(sink: BatchSink): void {
    if (this.running) throw new Error(`events watch ${this.name} is already running`);
    this.counters.state = 'running';
    this.running = this.run(sink);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.counters.state = 'stopped';
  }

  stats(): LiveStats {
    return { ...this.counters, details: { ...this.counters.details, tracked: this.delivered.size } };
  }

  private async run(sink: BatchSink): Promise<void> {
    const backoff = this.options.backoff ?? new Backoff();
    this.restore();
    while (!this.abort.signal.aborted) {
      try {
        this.api ??= await this.chooseApi();
        if (this.resourceVersion === undefined) await this.relist(sink);
        const end = await this.watchOnce(sink);
        this.counters.state = 'running';
        if (end === 'expired') {
          bump(this.counters, 'expired');
          this.resourceVersion = undefined;
          continue;
        }
        if (end === 'frames') backoff.reset();
        else await pause(backoff.next(), this.abort.signal);
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.counters.state = 'retrying';
        this.log.warn(`events watch ${this.name}: ${countError(this.counters, error, this.options.problems)}; retrying`);
        await pause(backoff.next(), this.abort.signal);
      }
    }
  }

  private restore(): void {
    const saved = this.options.checkpoint?.load();
    const wanted = this.options.api ?? 'auto';
    if (saved && (wanted === 'auto' || wanted === saved.api)) {
      this.api = saved.api;
      this.resourceVersion = saved.resourceVersion;
    }
  }

  private async chooseApi(): Promise<EventsApi> {
    const wanted = this.options.api ?? 'auto';
    const api = wanted === 'auto' ? await discoverEventsApi(this.options.config, this.abort.signal, this.idleTimeoutMs()) : wanted;
    this.log.info(`events watch ${this.name}: using ${api} Events`);
    return api;
  }

  /** Lists page by page; versions already delivered are skipped, Events gone from the server are forgotten. */
  private async relist(sink: BatchSink): Promise<void> {
    const api = this.api as EventsApi;
    const listed = new Map<string, string>();
    let token: string | undefined;
    let listVersion = '';
    do {
      const page = await this.listPage(api, token);
      const metadata = isObject(page.metadata) ? page.metadata : {};
      const items = Array.isArray(page.items) ? page.items.filter(isObject) : [];
      const batch: ReadBatch = { events: [], quarantined: [] };
      const fresh = new Map<string, string>();
      items.forEach((item, index) => {
        const { uid, version } = identity(item);
        if (uid && version) listed.set(uid, version);
        if (uid && version && this.delivered.get(uid) === version) return bump(this.counters, 'unchanged');
        this.decodeInto(batch, withTypeMeta(item, api), `list ${eventsPath(api, this.options.namespace)} items[${index}]`);
        if (uid && version) fresh.set(uid, version);
      });
      await this.deliver(batch, sink);
      for (const [uid, version] of fresh) this.delivered.set(uid, version);
      token = typeof metadata.continue === 'string' && metadata.continue !== '' ? metadata.continue : undefined;
      listVersion = typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : listVersion;
    } while (token);
    for (const uid of this.delivered.keys()) if (!listed.has(uid)) this.delivered.delete(uid);
    bump(this.counters, 'lists');
    this.advance(listVersion);
  }

  private async listPage(api: EventsApi, token: string | undefined): Promise<Json> {
    const query: Record<string, string> = { limit: String(this.options.pageSize ?? 500) };
    if (token) query.continue = token;
    const response = await kubeGet(this.options.config, eventsPath(api, this.options.namespace), query, this.abort.signal, this.idleTimeoutMs());
    return readJson(response, `listing ${api} events`);
  }

  /** One watch connection; says whether it saw frames, none, or ended with 410 Gone. */
  private async watchOnce(sink: BatchSink): Promise<'frames' | 'quiet' | 'expired'> {
    const api = this.api as EventsApi;
    const path = eventsPath(api, this.options.namespace);
    const query = { watch: '1', resourceVersion: this.resourceVersion ?? '', allowWatchBookmarks: 'true', timeoutSeconds: String(this.timeoutSeconds()) };
    const response = await kubeGet(this.options.config, path, query, this.abort.signal, this.idleTimeoutMs());
    if (response.statusCode === 410) {
      await discard(response);
      return 'expired';
    }
    if (response.statusCode !== 200) throw statusError(response.statusCode ?? 0, await discard(response), `watching ${api} events`);
    bump(this.counters, 'watches');
    return this.readFrames(response, api, path, sink);
  }

  private async readFrames(response: IncomingMessage, api: EventsApi, path: string, sink: BatchSink): Promise<'frames' | 'quiet' | 'expired'> {
    let frames = 0;
    for await (const items of splitLines(response, MAX_FRAME_BYTES)) {
      const batch: ReadBatch = { events: [], quarantined: [] };
      const staged = new Map<string, string | undefined>();
      let version = this.resourceVersion ?? '';
      let ending: 'expired' | Error | undefined;
      for (const item of items) {
        const line = textLineOf(item, `watch ${path}`);
        if (!line) continue;
        frames += 1;
        if (!line.ok) {
          batch.quarantined.push({ source: 'k8s.event', position: line.position, reason: line.reason, sample: line.sample, receivedAt: Date.now() });
          continue;
        }
        const outcome = this.applyFrame(line.text, line.position, api, batch, staged);
        if (outcome.version) version = outcome.version;
        if (outcome.ending) {
          ending = outcome.ending;
          break;
        }
      }
      await this.deliver(batch, sink);
      for (const [uid, delivered] of staged) {
        if (delivered === undefined) this.delivered.delete(uid);
        else this.delivered.set(uid, delivered);
      }
      this.advance(version);
      if (ending === 'expired') return 'expired';
      if (ending) throw ending;
    }
    return frames > 0 ? 'frames' : 'quiet';
  }

  /** Handles one frame; returns the resourceVersion it moves to, or why the watch must end. */
  private applyFrame(text: string, position: string, api: EventsApi, batch: ReadBatch, staged: Map<string, string | undefined>): { version?: string; ending?: 'expired' | Error } {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch (error) {
      batch.quarantined.push({ source: 'k8s.event', position, reason: `malformed watch frame: ${(error as Error).message}`, sample: text.slice(0, 4096), receivedAt: Date.now() });
      return {};
    }
    const type = isObject(frame) ? frame.type : undefined;
    const object = isObject(frame) && isObject(frame.object) ? frame.object : {};
    if (type === 'ERROR') {
      if (object.code === 410) return { ending: 'expired' };
      return { ending: statusError(Number(object.code ?? 0), JSON.stringify(object), 'watch error frame') };
    }
    const { uid, version } = identity(object);
    if (type === 'BOOKMARK') {
      bump(this.counters, 'bookmarks');
      return { version };
    }
    if (type === 'DELETED') {
      if (uid) staged.set(uid, undefined);
      bump(this.counters, 'deleted');
      return { version };
    }
    const known = uid && staged.has(uid) ? staged.get(uid) : uid ? this.delivered.get(uid) : undefined;
    if (uid && version && known === version) {
      bump(this.counters, 'unchanged');
      return { version };
    }
    this.decodeInto(batch, withTypeMeta(object, api), `${position} ${String(type)}`);
    if (uid && version) staged.set(uid, version);
    return { version };
  }

  private decodeInto(batch: ReadBatch, object: Json, position: string): void {
    const text = JSON.stringify(object);
    const decoded = k8sEventSource.decode(object, text, { cluster: this.options.cluster });
    batch.events.push(...decoded.events);
    for (const rejection of decoded.rejections) {
      batch.quarantined.push({ source: 'k8s.event', position, reason: rejection.reason, sample: rejection.text.slice(0, 4096), receivedAt: Date.now() });
    }
  }

  private async deliver(batch: ReadBatch, sink: BatchSink): Promise<void> {
    if (batch.events.length === 0 && batch.quarantined.length === 0) return;
    await sink(batch);
    countBatch(this.counters, batch);
  }

  private advance(version: string): void {
    if (!version || version === this.resourceVersion) return;
    this.resourceVersion = version;
    this.options.checkpoint?.save({ api: this.api as EventsApi, resourceVersion: version });
  }

  private timeoutSeconds(): number {
    return this.options.watchTimeoutSeconds ?? 300;
  }

  /** Bookmarks arrive about once a minute, so a connection silent for much longer than a watch lasts is dead. */
  private idleTimeoutMs(): number {
    return (this.timeoutSeconds() + 60) * 1000;
  }
}

function identity(object: Json): { uid?: string; version?: string } {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  return {
    uid: typeof metadata.uid === 'string' ? metadata.uid : undefined,
    version: typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : undefined,
  };
}
