/**
 * @xmpp/client for the backend's stand-ins and the node tests, with one fix. Its XEP-0198 support resets the
 * count of handled stanzas when the promise of its `<enable/>` settles, which can be after stanzas that
 * followed `<enabled/>` were already counted and acknowledged; its next `<a h=…/>` is then lower than the last
 * one, and Prosody closes the stream ("Client acknowledged less stanzas than already acknowledged"), which
 * made a test client (or a stand-in) vanish from its room now and then. Here the count restarts exactly when
 * `<enabled/>` arrives, and the late reset is ignored.
 */
import { client as xmppClient } from '@xmpp/client';
import type { XmlElement } from '@xmpp/xml';

const NS_SM = 'urn:xmpp:sm:3';

type ClientOptions = Parameters<typeof xmppClient>[0];

export function createXmppClient(options: ClientOptions): ReturnType<typeof xmppClient> {
  const entity = xmppClient(options);
  const sm = (entity as unknown as { streamManagement?: { inbound: number } }).streamManagement;
  if (!sm) return entity;
  let inbound = 0;
  let lateReset = false;
  entity.on('nonza', (nonza: XmlElement) => {
    if (!nonza.is('enabled', NS_SM)) return;
    inbound = 0;
    lateReset = true;
  });
  Object.defineProperty(sm, 'inbound', {
    configurable: true,
    get: () => inbound,
    set: (value: number) => {
      if (value === 0 && lateReset) {
        lateReset = false;
        return;
      }
      inbound = value;
    },
  });
  return entity;
}
