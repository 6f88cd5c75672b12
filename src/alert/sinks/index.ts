import { alertmanagerSinkType } from './alertmanager.js';
import { fileSinkType } from './file.js';
import { pagerDutySinkType } from './pagerduty.js';
import type { SinkType } from './sink.js';
import { slackSinkType } from './slack.js';
import { smtpSinkType } from './smtp.js';
import { webhookSinkType } from './webhook.js';

/**
 * Every kind of receiver; a new one is one file implementing `SinkType`, added here. The list
 * is used through `schema` and `create` only, so each entry's config type is `unknown` here:
 * `create` gets exactly what that entry's own `schema` produced.
 */
export const SINK_TYPES: ReadonlyArray<SinkType<unknown>> = [webhookSinkType, slackSinkType, pagerDutySinkType, alertmanagerSinkType, smtpSinkType, fileSinkType];

export function findSinkType(type: string): SinkType<unknown> | undefined {
  return SINK_TYPES.find((candidate) => candidate.type === type);
}
