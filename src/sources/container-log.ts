import { identityOfPath } from './container/identity.js';
import { ContainerLineDecoder } from './container/line-decoder.js';
import { dockerLineOf, parseContainerLine } from './container/log-line.js';
import { decodeShippedRecord, isShippedRecord } from './container/shipped-record.js';
import type { Source } from './source.js';

/**
 * Container logs as the kubelet writes them on a node (`/var/log/containers/*.log`,
 * `/var/log/pods/**`): CRI lines with partial lines joined per stream, or docker json-file
 * entries; pod, namespace, container and container id come from the file name. Records that a
 * shipper (fluent-bit) enriched with a `kubernetes` object are read too.
 */
export const containerLogSource: Source = {
  kind: 'container',
  name: 'container',

  recognises(value) {
    return dockerLineOf(value) !== undefined || isShippedRecord(value);
  },

  decode(value, text, context) {
    if (isShippedRecord(value)) return decodeShippedRecord(value, context.cluster, '');
    const decoder = new ContainerLineDecoder({ cluster: context.cluster, identity: identityOfPath(context.origin) });
    const decoded = decoder.decode(text, '');
    decoded.events.push(...decoder.end().events);
    return decoded;
  },

  lines: {
    recognises: (line) => parseContainerLine(line) !== undefined,
    open: (context) => new ContainerLineDecoder({ cluster: context.cluster, identity: identityOfPath(context.origin) }),
  },
};
