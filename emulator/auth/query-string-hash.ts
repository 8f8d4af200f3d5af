// qsh: SHA-256 of METHOD&PATH&QUERY with the path relative to a base URL
// (https://developer.atlassian.com/cloud/confluence/understanding-jwt/), so on the site
// `/wiki/rest/api/x` hashes as `/rest/api/x`.
import { createCanonicalRequest, createQueryStringHash, fromMethodAndUrl } from 'atlassian-jwt';

/** The qsh of a request URL (path with query) relative to `baseUrl`. */
export function queryStringHash(method: string, pathWithQuery: string, baseUrl: string): string {
  return createQueryStringHash(fromMethodAndUrl(method, pathWithQuery), false, baseUrl);
}

/** The canonical request the hash is made of, for error messages. */
export function canonicalRequest(method: string, pathWithQuery: string, baseUrl: string): string {
  return createCanonicalRequest(fromMethodAndUrl(method, pathWithQuery), false, baseUrl);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The hashes a received request may carry. ACE hashes the path it was given (`712020%3A…`)
 * but sends it normalised (`712020:…`), and how Confluence canonicalises percent-encoding is
 * not documented, so the path counts as sent, percent-decoded, and encodeURIComponent-encoded.
 * Method, resource and query must still match exactly.
 */
export function acceptableQueryStringHashes(method: string, receivedUrl: string, baseUrl: string): Set<string> {
  const queryAt = receivedUrl.indexOf('?');
  const path = queryAt < 0 ? receivedUrl : receivedUrl.slice(0, queryAt);
  const query = queryAt < 0 ? '' : receivedUrl.slice(queryAt);
  const decoded = path.split('/').map(decodeSegment);
  const variants = new Set([path, decoded.join('/'), decoded.map((s) => encodeURIComponent(s)).join('/')]);
  return new Set([...variants].map((p) => queryStringHash(method, `${p}${query}`, baseUrl)));
}
