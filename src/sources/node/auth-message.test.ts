import { describe, expect, it } from 'vitest';
import { parseAuthMessage } from './auth-message.js';

describe('parseAuthMessage', () => {
  it.each([
    ['sshd', 'Accepted publickey for ops from 10.0.0.5 port 40112 ssh2: ED25519 SHA256:abc', { action: 'ssh_login', outcome: 'success', userName: 'ops', sourceIp: '10.0.0.5', details: { method: 'publickey', port: '40112' } }],
    ['sshd', 'Failed password for root from 203.0.113.7 port 50024 ssh2', { action: 'ssh_login', outcome: 'failure', userName: 'root', sourceIp: '203.0.113.7' }],
    ['sshd', 'Failed password for invalid user admin from 2001:db8::7 port 50022 ssh2', { outcome: 'failure', userName: 'admin', sourceIp: '2001:db8::7', details: { invalid_user: 'true' } }],
    ['sshd', 'Invalid user deploy from 203.0.113.7 port 52150', { action: 'ssh_invalid_user', outcome: 'failure', userName: 'deploy' }],
    ['sshd', 'error: maximum authentication attempts exceeded for root from 203.0.113.7 port 50024 ssh2 [preauth]', { action: 'ssh_max_auth_tries', userName: 'root' }],
    ['sshd', 'Failed password for root from gateway.example port 22 ssh2', { userName: 'root', details: { remote_host: 'gateway.example' } }],
    ['sshd', 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root', { action: 'authentication_failure', outcome: 'failure', userName: 'root', sourceIp: '203.0.113.7', details: { service: 'sshd' } }],
    ['sudo', '    ops : TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/crictl ps', { action: 'sudo', outcome: 'success', userName: 'ops', details: { target_user: 'root', command: '/usr/bin/crictl ps', tty: 'pts/0', pwd: '/home/ops' } }],
    ['sudo', '   dev1 : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/home/dev1 ; USER=root ; COMMAND=/bin/bash', { action: 'sudo', outcome: 'failure', userName: 'dev1', details: { reason: '3 incorrect password attempts', command: '/bin/bash' } }],
    ['sudo', 'pam_unix(sudo:session): session opened for user root(uid=0) by ops(uid=1001)', { action: 'session_opened', userName: 'ops', details: { target_user: 'root' } }],
    ['sshd', 'pam_unix(sshd:session): session opened for user ops(uid=1001) by (uid=0)', { action: 'session_opened', userName: 'ops' }],
  ])('%s: %s', (program, message, expected) => {
    expect(parseAuthMessage(program, message)).toMatchObject(expected);
  });

  it('ignores other messages and other programs', () => {
    expect(parseAuthMessage('sshd', 'Server listening on 0.0.0.0 port 22.')).toBeUndefined();
    expect(parseAuthMessage('kubelet', 'Failed password for root from 1.2.3.4 port 1 ssh2')).toBeUndefined();
    expect(parseAuthMessage('sudo', 'no colon here')).toBeUndefined();
  });

  it('sets source.ip only for an address, not for a host name', () => {
    expect(parseAuthMessage('sshd', 'Failed password for root from gateway.example port 22 ssh2')?.sourceIp).toBeUndefined();
  });
});
