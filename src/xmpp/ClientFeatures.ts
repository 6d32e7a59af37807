/**
 * The features this client advertises and its XEP-0115 caps (protocol.md 2.7), and the answers to the IQs
 * every Jitsi client must answer: disco#info (echoing the node) and XMPP ping.
 */
import { $iq } from 'strophe.js';
import { CLIENT_NODE, capsVerification, defaultFeatures, type FeatureOptions } from './caps.js';
import { NS } from './namespaces.js';
import { firstChild, type StanzaRouter } from './StanzaRouter.js';

export class ClientFeatures {
  readonly features = new Set<string>();
  private ver = '';

  constructor(
    options: FeatureOptions | undefined,
    private readonly node: string = CLIENT_NODE,
    private readonly onChange: (submit: boolean) => void = () => undefined,
  ) {
    for (const feature of defaultFeatures(options)) this.features.add(feature);
    this.ver = capsVerification([], this.features);
  }

  get caps(): { hash: 'sha-1'; node: string; ver: string } {
    return { hash: 'sha-1', node: this.node, ver: this.ver };
  }

  add(feature: string, submit = false): void {
    if (this.features.has(feature)) return;
    this.features.add(feature);
    this.changed(submit);
  }

  remove(feature: string, submit = false): void {
    if (!this.features.delete(feature)) return;
    this.changed(submit);
  }

  private changed(submit: boolean): void {
    this.ver = capsVerification([], this.features);
    this.onChange(submit);
  }

  /** Registers the disco#info and ping answers on the router. */
  install(router: StanzaRouter, send: (stanza: { tree(): Element }) => void): void {
    router.addHandler(
      (iq) => {
        const node = firstChild(iq, 'query', NS.DISCO_INFO)?.getAttribute('node');
        const reply = $iq({ type: 'result', to: iq.getAttribute('from') ?? '', id: iq.getAttribute('id') ?? '' }).c('query', {
          xmlns: NS.DISCO_INFO,
          ...(node ? { node } : {}),
        });
        for (const feature of [...this.features].sort()) reply.c('feature', { var: feature }).up();
        send(reply);
        return true;
      },
      { ns: NS.DISCO_INFO, name: 'iq', type: 'get' },
    );
    router.addHandler(
      (iq) => {
        send($iq({ type: 'result', to: iq.getAttribute('from') ?? '', id: iq.getAttribute('id') ?? '' }));
        return true;
      },
      { ns: NS.PING, name: 'iq', type: 'get' },
    );
  }
}
