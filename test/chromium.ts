/** Debian's Chromium and the flags every test, benchmark and smoke check launches it with (backend.md). */
export const chromiumPath = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Three fake cameras, so that a camera switch changes the device. fake_device_1 is a depth camera (Y16) whose
  // frames play in a <video> but are never encoded by WebRTC: switch between fake_device_0 and fake_device_2.
  '--use-fake-device-for-media-stream=device-count=3',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
  // window.gc() and unquantised performance.memory, for the soak's heap figures (issue 16).
  '--js-flags=--expose-gc',
  '--enable-precise-memory-info',
];
