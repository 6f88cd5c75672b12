import { isIP } from 'node:net';
import type { Outcome } from '../../model/event.js';

/** What a node's authentication message (sshd, sudo, PAM) says: who, from where, how it ended. */
export interface AuthFacts {
  action: string;
  outcome: Outcome;
  userName?: string;
  sourceIp?: string;
  /** Everything else the message names (method, port, target user, command…), kept in the record. */
  details: Record<string, string>;
}

type Parser = (message: string, program: string) => AuthFacts | undefined;

const SSHD_ACCEPTED = /^Accepted (\S+) for (\S+) from (\S+) port (\d+)/;
const SSHD_FAILED = /^Failed (\S+) for (invalid user )?(\S+) from (\S+) port (\d+)/;
const SSHD_INVALID_USER = /^Invalid user (\S*) from (\S+)(?: port (\d+))?/;
const SSHD_MAX_TRIES = /^error: maximum authentication attempts exceeded for (invalid user )?(\S+) from (\S+) port (\d+)/;
const PAM_FAILURE = /^pam_unix\(([^:)]+):auth\): authentication failure;(.*)$/;
const PAM_SESSION = /^pam_unix\(([^:)]+):session\): session (opened|closed) for user ([^\s(]+)(?:\(uid=\d+\))?(?: by ([^\s(]*)\(uid=\d+\))?/;
const SUDO = /^\s*(\S+) : (.*)$/;

const sshd: Parser = (message, program) => {
  if (program !== 'sshd' && !program.startsWith('sshd-')) return undefined;
  let match = SSHD_ACCEPTED.exec(message);
  if (match) return login('ssh_login', 'success', match[2], match[3], { method: match[1], port: match[4] });
  match = SSHD_FAILED.exec(message);
  if (match) return login('ssh_login', 'failure', match[3], match[4], { method: match[1], port: match[5], ...(match[2] ? { invalid_user: 'true' } : {}) });
  match = SSHD_INVALID_USER.exec(message);
  if (match) return login('ssh_invalid_user', 'failure', match[1], match[2], match[3] ? { port: match[3] } : {});
  match = SSHD_MAX_TRIES.exec(message);
  if (match) return login('ssh_max_auth_tries', 'failure', match[2], match[3], { port: match[4], ...(match[1] ? { invalid_user: 'true' } : {}) });
  return undefined;
};

const pam: Parser = (message) => {
  const failure = PAM_FAILURE.exec(message);
  if (failure) {
    const fields = keyValues(failure[2]);
    return login('authentication_failure', 'failure', fields.user || fields.logname || undefined, fields.rhost || undefined, { service: failure[1], ...pick(fields, ['logname', 'uid', 'euid', 'tty', 'ruser']) });
  }
  const session = PAM_SESSION.exec(message);
  if (!session) return undefined;
  const [, service, state, target, by] = session;
  return { action: `session_${state}`, outcome: 'success', userName: by || target, details: { service, target_user: target } };
};

/** `alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls`, with a reason first when sudo refused. */
const sudo: Parser = (message, program) => {
  if (program !== 'sudo') return undefined;
  const match = SUDO.exec(message);
  if (!match) return undefined;
  const parts = match[2].split(' ; ');
  const reason = parts[0].includes('=') ? undefined : parts.shift();
  const fields = Object.fromEntries(parts.map((part) => [part.slice(0, part.indexOf('=')).trim(), part.slice(part.indexOf('=') + 1)]));
  const details: Record<string, string> = {};
  if (fields.USER) details.target_user = fields.USER;
  if (fields.COMMAND) details.command = fields.COMMAND;
  if (fields.TTY) details.tty = fields.TTY;
  if (fields.PWD) details.pwd = fields.PWD;
  if (reason) details.reason = reason.trim();
  return { action: 'sudo', outcome: reason ? 'failure' : 'success', userName: match[1], details };
};

const PARSERS: readonly Parser[] = [sshd, sudo, pam];

/** Parses the sshd, sudo and PAM messages that say who logged in or escalated; undefined for any other message. */
export function parseAuthMessage(program: string, message: string): AuthFacts | undefined {
  for (const parse of PARSERS) {
    const facts = parse(message, program);
    if (facts) return facts;
  }
  return undefined;
}

function login(action: string, outcome: Outcome, user: string | undefined, from: string | undefined, details: Record<string, string>): AuthFacts {
  const facts: AuthFacts = { action, outcome, userName: user || undefined, details: { ...details } };
  if (from && isIP(from)) facts.sourceIp = from;
  else if (from) facts.details.remote_host = from;
  return facts;
}

/** `logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root` */
function keyValues(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)=(\S*)/g)) fields[match[1]] = match[2];
  return fields;
}

function pick(fields: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((key) => fields[key]).map((key) => [key, fields[key]]));
}
