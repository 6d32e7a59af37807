/**
 * A firewall that blocks UDP, as many corporate networks do, for tests that run in their own network namespace
 * (`unshare --net`; root in it): `ip rule` policy routing, since the machines have no nft/iptables. A
 * `prohibit` rule for `ipproto udp` ahead of the `local` table makes every UDP send fail (EACCES), loopback
 * included; TCP (XMPP, TURN over TCP/TLS, Colibri websockets) is untouched.
 *
 * What stays allowed: UDP from and to coturn's relay ports (coturn.ts TURN_RELAY_PORTS). Those sockets are the
 * TURN server's far side, which in a deployment sits on the server's network, outside the client's firewall:
 * relayed media between coturn and the bridge or another relay. A limitation of sharing one loopback: a
 * client's host candidate can still send UDP to another client's relay address.
 */
import { spawnSync } from 'node:child_process';
import { TURN_RELAY_PORTS } from './coturn.js';

const RELAY_RANGE = `${TURN_RELAY_PORTS.min}-${TURN_RELAY_PORTS.max}`;
/** Rule priorities: ours first, then the `local` table (normally at 0, moved behind them while blocking). */
const PREF = { relayFrom: '10', relayTo: '11', block: '12', local: '100' } as const;

function ip(args: string[], tolerate = false): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0 && !tolerate) throw new Error(`ip ${args.join(' ')}: ${result.stderr || result.error?.message || 'failed'}`);
}

function rules(): string {
  return spawnSync('ip', ['rule', 'show'], { encoding: 'utf8' }).stdout;
}

/** Whether UDP is blocked now. */
export function udpFirewallOn(): boolean {
  return /ipproto udp prohibit/.test(rules());
}

/**
 * Blocks (true) or unblocks (false) UDP in this network namespace, except coturn's relay ports. Idempotent.
 * Refuses outside a private namespace (one whose only interface is `lo`), so it never touches the machine.
 */
export function udpFirewall(on: boolean): boolean {
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout.trim().split('\n');
  if (links.length !== 1 || !/^\d+: lo:/.test(links[0] ?? '')) throw new Error('udpFirewall: only inside the tests\' private network namespace (lo only)');
  if (on) {
    if (udpFirewallOn()) return true;
    ip(['rule', 'add', 'pref', PREF.local, 'lookup', 'local']);
    while (/^0:\s+from all lookup local/m.test(rules())) ip(['rule', 'del', 'pref', '0', 'lookup', 'local']);
    ip(['rule', 'add', 'pref', PREF.relayFrom, 'ipproto', 'udp', 'sport', RELAY_RANGE, 'lookup', 'local']);
    ip(['rule', 'add', 'pref', PREF.relayTo, 'ipproto', 'udp', 'dport', RELAY_RANGE, 'lookup', 'local']);
    ip(['rule', 'add', 'pref', PREF.block, 'ipproto', 'udp', 'prohibit']);
    return true;
  }
  // `ip rule add` does not refuse a duplicate: add the usual rule back only when it is missing.
  if (!/^0:\s+from all lookup local/m.test(rules())) ip(['rule', 'add', 'pref', '0', 'lookup', 'local']);
  for (const pref of [PREF.block, PREF.relayTo, PREF.relayFrom, PREF.local]) ip(['rule', 'del', 'pref', pref], true);
  return true;
}
