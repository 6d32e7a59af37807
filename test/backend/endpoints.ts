/** The backend's endpoints and relay stats: shared by the Node launcher and the browser test helpers (types only). */

export interface TestUser {
  username: string;
  /** Bare JID on the `auth.` host, the `id` a client passes to `connect()`. */
  jid: string;
  password: string;
}

/** What clients need to reach the backend; served to browser tests as JSON. */
export interface BackendEndpoints {
  domain: string;
  mucDomain: string;
  authDomain: string;
  /** Where conference requests go (protocol.md 3.1). */
  focusAddress: string;
  /** The focus user's bare JID, as Jicofo answers it in `focusjid`. */
  focusJid: string;
  websocketUrl: string;
  boshUrl: string;
  c2sPort: number;
  httpPort: number;
  testUser: TestUser;
  /**
   * The same websocket and BOSH endpoints through the fault-injecting relay (`Backend.relay`): connections
   * made here can be cut or black-holed by the tests.
   */
  relay: { websocketUrl: string; boshUrl: string; httpPort: number };
  /**
   * The bridge stand-in, when the backend runs with the option `jvb`: its Colibri websockets are
   * `<colibriWebsocketBase><jvb-id>/<conference-id>/<endpoint-id>?pwd=<secret>` (the full URL comes in the
   * focus's session-initiate, protocol.md 5.3). Absent without `jvb`.
   */
  /**
   * The coturn (option `turn`): TURN over UDP/TCP on `port`, over TLS on `tlsPort` with a self-signed
   * certificate whose public key hash is `certSpki` (base64 SHA-256 of the SPKI), relaying from the UDP ports
   * `relayPorts`. Absent without it.
   */
  turn?: { host: string; port: number; tlsPort: number; certSpki: string; relayPorts: { min: number; max: number } };
  bridge?: { colibriWebsocketBase: string; port: number };
}

export interface RelayStats {
  /** Connections (client<->server pairs) currently open, black-holed ones included. */
  open: number;
  /** Connections accepted since start. */
  accepted: number;
  /** Open connections that are black-holed (dropping every byte). */
  blackholed: number;
  /** Connections reset by `cut()` since start. */
  cut: number;
  /** Whether the relay is black-holing (between `blackhole()` and `restore()`). */
  blackholing: boolean;
}
