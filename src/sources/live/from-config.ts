import { hostname } from 'node:os';
import { join } from 'node:path';
import { type LiveSourceConfig, liveSourceName } from '../../config/serve-config.js';
import { containerLogSource } from '../container-log.js';
import { identityOfPath } from '../container/identity.js';
import { ContainerLineDecoder } from '../container/line-decoder.js';
import { SyslogLineDecoder } from '../node/syslog-decoder.js';
import { syslogSource } from '../syslog.js';
import { CheckpointFile } from './checkpoint-file.js';
import { EventsWatcher } from './events-watcher.js';
import { FileTailer } from './file-tailer.js';
import { JournalFollower } from './journal-follower.js';
import { loadKubeConfig } from './kube-http.js';
import type { BatchSink, LiveLog, LiveSource, ProblemReporter } from './live-source.js';
import { listLogFiles } from './log-files.js';

/** Where failures and losses are counted per (cluster, source kind, origin); source health's recorder fits. */
export interface HealthReporter {
  error(key: { cluster: string; source: string; origin: string }, message: string): void;
  dropped(key: { cluster: string; source: string; origin: string }, count: number, reason?: string): void;
}

export interface LiveSourceSetting {
  /** Checkpoints go to `<dataDir>/checkpoints/<source name>.json`. */
  dataDir: string;
  log: LiveLog;
  health?: HealthReporter;
}

/** Builds the live source a `vigil serve --config` entry describes. */
export function createLiveSource(config: LiveSourceConfig, setting: LiveSourceSetting): LiveSource {
  const name = liveSourceName(config);
  const checkpoint = <T>() => new CheckpointFile<T>(join(setting.dataDir, 'checkpoints', `${name}.json`));
  const problems = problemsOf(config, setting.health);
  switch (config.kind) {
    case 'k8s-events': {
      const kubeConfig = loadKubeConfig(config);
      // Marked handled here; the watcher awaits it and reports a bad kubeconfig as its own error.
      kubeConfig.catch(() => undefined);
      return new EventsWatcher({ ...config, name, config: kubeConfig, checkpoint: checkpoint(), log: setting.log, problems });
    }
    case 'container-logs':
      return new FileTailer({
        name,
        source: containerLogSource,
        list: () => listLogFiles(config.path),
        // The node goes into the stored record too, so the record alone gives back host.name (verify, agents).
        decoderFor: (path) =>
          new ContainerLineDecoder({ cluster: config.cluster, identity: { ...identityOfPath(path), host: nodeName(config.node) }, maxLineBytes: config.maxLineBytes }),
        host: nodeName(config.node),
        checkpoint: checkpoint(),
        pollIntervalMs: config.pollIntervalMs,
        maxLineBytes: config.maxLineBytes,
        log: setting.log,
        problems,
      });
    case 'journald':
      return new JournalFollower({ ...config, name, checkpoint: checkpoint(), log: setting.log, problems });
    case 'syslog':
      return new FileTailer({
        name,
        source: syslogSource,
        list: () => listLogFiles(config.path),
        decoderFor: () => new SyslogLineDecoder(config.cluster),
        host: nodeName(config.node),
        checkpoint: checkpoint(),
        pollIntervalMs: config.pollIntervalMs,
        log: setting.log,
        problems,
      });
  }
}

function problemsOf(config: LiveSourceConfig, health: HealthReporter | undefined): ProblemReporter | undefined {
  if (!health) return undefined;
  const key = healthKeyOf(config);
  return { error: (message) => health.error(key, message), dropped: (count, reason) => health.dropped(key, count, reason) };
}

/** Health counts a node's sources under the node, the events watch under the cluster as a whole (origin ''). */
function healthKeyOf(config: LiveSourceConfig): { cluster: string; source: string; origin: string } {
  switch (config.kind) {
    case 'k8s-events':
      return { cluster: config.cluster, source: 'k8s.event', origin: '' };
    case 'container-logs':
      return { cluster: config.cluster, source: 'container', origin: nodeName(config.node) };
    case 'journald':
      return { cluster: config.cluster, source: 'node', origin: nodeName(undefined) };
    case 'syslog':
      return { cluster: config.cluster, source: 'node', origin: nodeName(config.node) };
  }
}

/** In a DaemonSet the pod's host name is not the node's: NODE_NAME from the downward API is preferred. */
function nodeName(configured: string | undefined): string {
  return configured ?? process.env.NODE_NAME ?? hostname();
}

/** Live sources running together; `stop` waits for each to store its last batch and checkpoint. */
export interface RunningSources {
  sources: readonly LiveSource[];
  stop(): Promise<void>;
}

export function startLiveSources(configs: readonly LiveSourceConfig[], setting: LiveSourceSetting, sink: BatchSink): RunningSources {
  const sources = configs.map((config) => {
    try {
      return createLiveSource(config, setting);
    } catch (error) {
      throw new Error(`live source ${liveSourceName(config)}: ${(error as Error).message}`);
    }
  });
  for (const source of sources) {
    source.start(sink);
    setting.log.info(`live source ${source.name} started`);
  }
  return {
    sources,
    stop: async () => {
      await Promise.all(sources.map((source) => source.stop()));
    },
  };
}
