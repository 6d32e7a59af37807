/** Browser-side access to the local backend started by test/browser-runner.ts. */
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
