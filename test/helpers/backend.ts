/** Browser-side access to the local backend started by test/browser-runner.ts. */
import { executeServerCommand } from '@web/test-runner-commands';

import type { BackendEndpoints, RelayStats } from '../backend/endpoints.js';

export type { BackendEndpoints, RelayStats, TestUser } from '../backend/endpoints.js';

let cached: Promise<BackendEndpoints> | undefined;

export function backendEndpoints(): Promise<BackendEndpoints> {
  cached ??= fetch('/__backend__/endpoints.json').then(async (response) => {
    if (!response.ok) throw new Error(`no backend endpoints: HTTP ${response.status}`);
    return (await response.json()) as BackendEndpoints;
  });
  return cached;
}

/** A fresh lowercase room name, unique per test. */
export function uniqueRoomName(prefix = 'room'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Resets every connection currently open through the relay (`endpoints.relay`), on both ends, like a dropped
 * network. Later connections work. Resolves with the stats after the cut.
 */
export function relayCut(): Promise<RelayStats> {
  return executeServerCommand<RelayStats, undefined>('backend-relay-cut');
}

/**
 * From now until relayRestore(), the relay silently drops every byte both ways, on existing and new
 * connections, and closes nothing.
 */
export function relayBlackhole(): Promise<RelayStats> {
  return executeServerCommand<RelayStats, undefined>('backend-relay-blackhole');
}

/** New relay connections are forwarded again; black-holed ones stay dead until closed or cut. */
export function relayRestore(): Promise<RelayStats> {
  return executeServerCommand<RelayStats, undefined>('backend-relay-restore');
}

export function relayStats(): Promise<RelayStats> {
  return executeServerCommand<RelayStats, undefined>('backend-relay-stats');
}

/**
 * Restarts Prosody (same config, data and ports) and resolves once it listens again and the focus stand-in
 * is back. Every session and room is gone; registered users remain.
 */
export async function restartProsody(): Promise<void> {
  await executeServerCommand<boolean, undefined>('backend-prosody-restart');
}

/** Starves all UDP on the test namespace's loopback (WebRTC media and ICE; XMPP keeps working). */
export async function udpBlock(): Promise<void> {
  await executeServerCommand<boolean, undefined>('backend-udp-block');
}

export async function udpRestore(): Promise<void> {
  await executeServerCommand<boolean, undefined>('backend-udp-restore');
}

/**
 * A firewall that refuses UDP (sends fail), except coturn's relay ports (the TURN server's far side): clients
 * reach the TURN server over TCP/TLS only (test/backend/network.ts). Until udpFirewallOff().
 */
export async function udpFirewall(): Promise<void> {
  await executeServerCommand<boolean, undefined>('backend-udp-firewall');
}

export async function udpFirewallOff(): Promise<void> {
  await executeServerCommand<boolean, undefined>('backend-udp-firewall-off');
}

/** The bridge stand-in "crashes" and comes back under a new id; the focus stand-in re-invites everyone (as Jicofo does). */
export async function bridgeRestart(): Promise<void> {
  await executeServerCommand<boolean, undefined>('backend-bridge-restart');
}

/** 127.0.0.1 leaves the namespace's loopback for `downMs` and comes back (a network change); resolves once it is back. */
export function networkChange(downMs: number): Promise<boolean> {
  return executeServerCommand<boolean, { downMs: number }>('backend-network-change', { downMs });
}

/** The focus stand-in sends an in-place ICE restart (transport-info, protocol.md 5.2) to every session of the room. */
export function jvbIceRestart(roomJid: string): Promise<number> {
  return executeServerCommand<number, { room: string }>('backend-jvb-ice-restart', { room: roomJid });
}

/** Drops every Colibri websocket of the bridge stand-in abnormally; resolves with how many. */
export function bridgeWebsocketsCut(): Promise<number> {
  return executeServerCommand<number, undefined>('backend-bridge-websockets-cut');
}
