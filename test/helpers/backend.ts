/** Browser-side access to the local backend started by test/browser-runner.ts. */
import { executeServerCommand } from '@web/test-runner-commands';

export interface TestUser {
  username: string;
  jid: string;
  password: string;
}

export interface BackendEndpoints {
  domain: string;
  mucDomain: string;
  authDomain: string;
  focusAddress: string;
  focusJid: string;
  websocketUrl: string;
  boshUrl: string;
  c2sPort: number;
  httpPort: number;
  testUser: TestUser;
  /** The same endpoints through the fault-injecting relay: see relayCut() and friends. */
  relay: { websocketUrl: string; boshUrl: string; httpPort: number };
}

/** test/backend/relay.ts RelayStats. */
export interface RelayStats {
  /** Connections (client<->server pairs) currently open, black-holed ones included. */
  open: number;
  /** Connections accepted since the backend started. */
  accepted: number;
  /** Open connections that are black-holed. */
  blackholed: number;
  /** Connections reset by cuts since the backend started. */
  cut: number;
  /** Whether the relay is black-holing (between relayBlackhole() and relayRestore()). */
  blackholing: boolean;
}

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
