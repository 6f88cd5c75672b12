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
import { DeliveredVersions } from './delivered-versions.js';
import { type BatchSink, type LiveLog, type LiveSource, type LiveStats, type ProblemReporter, SILENT_LOG, bump, countBatch, countError, emptyStats } from './live-source.js';
import { identityOf, readWatchFrame } from './watch-frame.js';

type Json = Record<string, unknown>;

export interface EventsCheckpoint {
  api: EventsApi;
  resourceVersion: string;
}

export interface EventsWatcherOptions {
  name: string;
  cluster: string;
  /** Credentials, possibly still loading (see loadKubeConfig). */
  config: KubeConfig | Promise<KubeConfig>;
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

/** A watch frame larger than this is quarantined, not parsed. */
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
  private readonly delivered = new DeliveredVersions();
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
    const saved = this.options.checkpoint?.loadOr((message) => this.log.warn(`events watch ${this.name}: ${countError(this.counters, message, this.options.problems)}`));
    const wanted = this.options.api ?? 'auto';
    if (saved && (wanted === 'auto' || wanted === saved.api)) {
      this.api = saved.api;
      this.resourceVersion = saved.resourceVersion;
    }
  }

  private async chooseApi(): Promise<EventsApi> {
    const wanted = this.options.api ?? 'auto';
    const api = wanted === 'auto' ? await discoverEventsApi(await this.options.config, this.abort.signal, this.idleTimeoutMs()) : wanted;
    this.log.info(`events watch ${this.name}: using ${api} Events`);
    return api;
  }

  /** Lists page by page; versions already delivered are skipped, Events gone from the server are forgotten. */
  private async relist(sink: BatchSink): Promise<void> {
    const api = this.api as EventsApi;
    const listed = new Set<string>();
    let token: string | undefined;
    let listVersion = '';
    do {
      const page = await this.listPage(api, token);
      const metadata = isObject(page.metadata) ? page.metadata : {};
      const items = Array.isArray(page.items) ? page.items.filter(isObject) : [];
      const batch: ReadBatch = { events: [], quarantined: [] };
      this.delivered.begin();
      items.forEach((item, index) => {
        const { uid, version } = identityOf(item);
        if (uid) listed.add(uid);
        if (uid && version && this.delivered.isStored(uid, version)) {
          bump(this.counters, 'unchanged');
          return;
        }
        this.decodeInto(batch, withTypeMeta(item, api), `list ${eventsPath(api, this.options.namespace)} items[${index}]`);
        if (uid && version) this.delivered.stage(uid, version);
      });
      await this.deliver(batch, sink);
      this.delivered.commit();
      token = typeof metadata.continue === 'string' && metadata.continue !== '' ? metadata.continue : undefined;
      listVersion = typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : listVersion;
    } while (token);
    this.delivered.keepOnly(listed);
    bump(this.counters, 'lists');
    this.advance(listVersion);
  }

  private async listPage(api: EventsApi, token: string | undefined): Promise<Json> {
    const query: Record<string, string> = { limit: String(this.options.pageSize ?? 500) };
    if (token) query.continue = token;
    const response = await kubeGet(await this.options.config, eventsPath(api, this.options.namespace), query, this.abort.signal, this.idleTimeoutMs());
    return readJson(response, `listing ${api} events`);
  }

  /** One watch connection; says whether it saw frames, none, or ended with 410 Gone. */
  private async watchOnce(sink: BatchSink): Promise<'frames' | 'quiet' | 'expired'> {
    const api = this.api as EventsApi;
    const path = eventsPath(api, this.options.namespace);
    const query = { watch: '1', resourceVersion: this.resourceVersion ?? '', allowWatchBookmarks: 'true', timeoutSeconds: String(this.timeoutSeconds()) };
    const response = await kubeGet(await this.options.config, path, query, this.abort.signal, this.idleTimeoutMs());
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
      this.delivered.begin();
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
        const outcome = this.applyFrame(line.text, line.position, api, batch);
        if (outcome.version) version = outcome.version;
        ending = outcome.ending;
        if (ending) break;
      }
      await this.deliver(batch, sink);
      this.delivered.commit();
      this.advance(version);
      if (ending === 'expired') return 'expired';
      if (ending) throw ending;
    }
    return frames > 0 ? 'frames' : 'quiet';
  }

  /** Handles one frame; returns the resourceVersion it moves to, or why the watch must end. */
  private applyFrame(text: string, position: string, api: EventsApi, batch: ReadBatch): { version?: string; ending?: 'expired' | Error } {
    const frame = readWatchFrame(text);
    switch (frame.type) {
      case 'malformed':
        batch.quarantined.push({ source: 'k8s.event', position, reason: frame.reason, sample: text.slice(0, 4096), receivedAt: Date.now() });
        return {};
      case 'expired':
        return { ending: 'expired' };
      case 'failed':
        return { ending: frame.error };
      case 'bookmark':
        bump(this.counters, 'bookmarks');
        return { version: frame.version };
      case 'deleted':
        if (frame.uid) this.delivered.stage(frame.uid, undefined);
        bump(this.counters, 'deleted');
        return { version: frame.version };
      case 'changed':
        if (frame.uid && frame.version && this.delivered.isStored(frame.uid, frame.version)) {
          bump(this.counters, 'unchanged');
        } else {
          this.decodeInto(batch, withTypeMeta(frame.object, api), `${position} ${frame.verb}`);
          if (frame.uid && frame.version) this.delivered.stage(frame.uid, frame.version);
        }
        return { version: frame.version };
    }
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
