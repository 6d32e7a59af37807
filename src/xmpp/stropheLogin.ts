/**
 * Strophe's login, shortened where the server allows it (issue 15).
 */
import type { Strophe } from 'strophe.js';

type StropheConnection = InstanceType<typeof Strophe.Connection>;

/** The part of Strophe's login that reads the stream features after SASL. */
interface StropheLogin {
  _onStreamFeaturesAfterSASL(features: Element): boolean;
  do_session: boolean;
}

/**
 * RFC 6121 dropped the session IQ of RFC 3921; a server that still lists it marks it `<optional/>` (Prosody
 * does), and then it is a round trip for nothing (issue 15). Strophe sends it whenever it is listed, so the
 * login skips it when the server says it is optional.
 */
export function skipOptionalSession(strophe: StropheConnection): void {
  const login = strophe as unknown as StropheLogin;
  const readFeatures = login._onStreamFeaturesAfterSASL.bind(strophe);
  login._onStreamFeaturesAfterSASL = (features: Element): boolean => {
    const session = Array.from(features.children).find((child) => child.localName === 'session');
    const optional = session !== undefined && Array.from(session.children).some((child) => child.localName === 'optional');
    const result = readFeatures(features);
    if (optional) login.do_session = false;
    return result;
  };
}
