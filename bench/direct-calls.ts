// The emulator's own figures that Keepsake's are set beside: a user-property GET and PUT made
// straight to the emulator, signed as the app (the calls Keepsake makes without its cache), on
// a property the size of a stored `main` record.
import type { Options } from 'autocannon';
import { SymmetricAlgorithm, createQueryStringHash, encodeSymmetric, fromMethodAndUrl } from 'atlassian-jwt';
import type { EmulatorControl } from './emulator-control';
import { json } from './http-json';

/** About the size of a sealed `main` record of 10 bookmarks (docs/performance.md). */
const VALUE = { value: { k: 2, box: 'x'.repeat(2_700) } };

export interface DirectCalls {
  url: string;
  get: Partial<Options>;
  put: Partial<Options>;
}

export async function directCalls(control: EmulatorControl, accountId: string): Promise<DirectCalls> {
  const secret = await control.sharedSecret();
  const path = `/rest/api/user/${encodeURIComponent(accountId)}/property/bench-direct`;
  const sign = (method: string) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'keepsake', iat: now, exp: now + 3600, qsh: createQueryStringHash(fromMethodAndUrl(method, path)) };
    return `JWT ${encodeSymmetric(claims, secret, SymmetricAlgorithm.HS256)}`;
  };
  const url = `${control.baseUrl}/wiki${path}`;
  // Created first (Confluence creates with POST), so that the GETs read it and the PUTs replace it.
  await json('POST', url, VALUE, { Authorization: sign('POST') });
  return {
    url,
    get: { headers: { Authorization: sign('GET') } },
    put: { method: 'PUT', headers: { Authorization: sign('PUT'), 'Content-Type': 'application/json' }, body: JSON.stringify(VALUE) },
  };
}
