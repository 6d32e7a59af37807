/**
 * The page of the page-flow benchmark (issue 15): lib-jitsi-meet's getting-started flow on the built CDN bundle,
 * loaded in two tabs. Before the bundle loads, the page wraps its own WebSocket and RTCPeerConnection to
 * timestamp what it can observe (every XMPP frame in and out, ICE/DTLS state changes); the engine's debug
 * trace (JitsiMeetJS.setTraceListener) adds its internal steps. Times are epoch milliseconds with sub-ms
 * precision (performance.timeOrigin + performance.now()), so the two tabs share one clock.
 */
export const FLOW_PAGE = `<!doctype html><link rel="icon" href="data:,"><script>
  const now = () => performance.timeOrigin + performance.now();
  window.marks = [];
  const mark = (what) => window.marks.push([now(), what]);
  window.mark = mark;
  // One label per XMPP frame: direction, root element, type, first child (and a Jingle action / MUC status).
  const label = (dir, data) => {
    if (typeof data !== 'string') return dir + ' binary';
    const root = /^<([\\w:]+)/.exec(data)?.[1] ?? '?';
    const type = /^<[^>]*\\stype=['"](\\w+)/.exec(data)?.[1];
    const child = /^<[^>]*>\\s*<([\\w:-]+)(?:[^>]*\\sxmlns=['"]([^'"]+))?/.exec(data);
    const action = /\\saction=['"]([\\w-]+)/.exec(data)?.[1];
    const self = root === 'presence' && /code=['"]110['"]/.test(data) ? ' self' : '';
    const muc = root === 'presence' && /xmlns=['"]http:\\/\\/jabber.org\\/protocol\\/muc['"]/.test(data) ? ' muc-join' : '';
    const ns = child?.[2] ? ' ' + child[2].replace(/^.*[/:]/, '') : '';
    return [dir, root, type, child?.[1] && (child[1] + ns), action, self + muc].filter(Boolean).join(' ');
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      mark('ws new');
      this.addEventListener('open', () => mark('ws open'));
      this.addEventListener('message', (event) => mark(label('in', event.data)));
    }
    send(data) {
      mark(label('out', data));
      return super.send(data);
    }
  };
  const NativePC = window.RTCPeerConnection;
  let pcs = 0;
  window.RTCPeerConnection = class extends NativePC {
    constructor(...args) {
      super(...args);
      const id = 'pc' + ++pcs;
      this.benchId = id;
      this.addEventListener('signalingstatechange', () => mark(id + ' signaling ' + this.signalingState));
      this.addEventListener('iceconnectionstatechange', () => mark(id + ' ice ' + this.iceConnectionState));
      this.addEventListener('connectionstatechange', () => mark(id + ' connection ' + this.connectionState));
      let first = true;
      this.addEventListener('icecandidate', (event) => { if (event.candidate && first) { first = false; mark(id + ' first local candidate'); } });
    }
  };
</script><script type="module">
  // ?bundle=/baseline.js: another build of the bundle, for side-by-side runs (npm run bench -- --baseline=<file>).
  const { default: JitsiMeetJS } = await import(new URLSearchParams(location.search).get('bundle') ?? '/dist/cdn/jitsi-elements.js');
  JitsiMeetJS.setLogLevel('error');
  JitsiMeetJS.setTraceListener?.((name) => mark('trace ' + name));
  const C = JitsiMeetJS.events.conference;
  const state = {};
  window.state = state;
  const waitFor = (emitter, event, fail) => new Promise((resolve, reject) => {
    emitter.addEventListener(event, resolve);
    if (fail) emitter.addEventListener(fail, (e) => reject(new Error(String(e))));
  });
  /** The P2P peer connection's first inbound video packet and first decoded frame, polled from getStats(). */
  function watchFrames(conference) {
    let rtp = false;
    let sent = false;
    let encoded = false;
    const poll = async () => {
      const pc = conference.p2pJingleSession?.peerconnection;
      const native = pc && (pc.peerconnection ?? pc);
      if (!native || typeof native.getStats !== 'function' || state.done) return setTimeout(poll, 2);
      if (native.connectionState !== 'connected') return setTimeout(poll, 2);
      const stats = await native.getStats();
      for (const report of stats.values()) {
        if (report.type === 'outbound-rtp' && report.kind === 'video') {
          if (!encoded && report.framesEncoded > 0) { encoded = true; mark('page first video frame encoded ' + (stats.get(report.codecId)?.mimeType ?? '')); }
          if (!sent && report.packetsSent > 0) { sent = true; mark('page first video RTP sent'); }
        }
        if (report.type !== 'inbound-rtp' || report.kind !== 'video') continue;
        if (!rtp && report.packetsReceived > 0) { rtp = true; mark('page first video RTP'); }
        if (report.framesDecoded > 0) { mark('page first decoded frame'); return; }
      }
      setTimeout(poll, 2);
    };
    poll();
  }
  window.setup = async (serviceUrl, hosts, room) => {
    window.marks = [];
    state.done = false;
    const tracks = await JitsiMeetJS.createLocalTracks({ devices: ['audio', 'video'] });
    const connection = new JitsiMeetJS.JitsiConnection(null, null, { hosts, serviceUrl, p2p: { stunServers: [] } });
    const established = waitFor(connection, JitsiMeetJS.events.connection.CONNECTION_ESTABLISHED, JitsiMeetJS.events.connection.CONNECTION_FAILED);
    mark('page connect()');
    connection.connect();
    await established;
    mark('page CONNECTION_ESTABLISHED');
    const conference = connection.initJitsiConference(room, { p2p: { enabled: true, stunServers: [] } });
    conference.on(C.TRACK_ADDED, (track) => { if (!track.isLocal()) mark('page remote TRACK_ADDED ' + track.getType()); });
    conference.on(C.USER_JOINED, () => mark('page USER_JOINED'));
    conference.on(C.P2P_STATUS, (_c, on) => mark('page P2P_STATUS ' + on));
    for (const track of tracks) await conference.addTrack(track);
    Object.assign(state, { tracks, connection, conference });
    watchFrames(conference);
    return true;
  };
  window.join = async () => {
    const { conference } = state;
    const joined = new Promise((resolve, reject) => {
      conference.on(C.CONFERENCE_JOINED, resolve);
      conference.on(C.CONFERENCE_FAILED, (e) => reject(new Error(String(e))));
    });
    mark('page join()');
    conference.join();
    await joined;
    mark('page CONFERENCE_JOINED');
    return true;
  };
  /** Resolves once this page has decoded a remote frame (or after timeoutMs). */
  window.settled = (timeoutMs) => new Promise((resolve) => {
    const started = performance.now();
    const check = () => {
      if (window.marks.some(([, what]) => what === 'page first decoded frame')) return resolve(true);
      if (performance.now() - started > timeoutMs) return resolve(false);
      setTimeout(check, 20);
    };
    check();
  });
  window.p2pRole = () => {
    const session = state.conference?.p2pJingleSession;
    return session ? (session.initiator ? 'initiator' : 'responder') : 'none';
  };
  window.teardown = async () => {
    state.done = true;
    const { conference, connection, tracks } = state;
    await conference?.leave().catch(() => {});
    await connection?.disconnect().catch(() => {});
    for (const track of tracks ?? []) await track.dispose();
    return true;
  };
  window.ready = true;
</script>`;
