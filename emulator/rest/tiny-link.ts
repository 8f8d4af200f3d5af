// Confluence's tiny links (`/x/<code>`, the "Share" link and `_links.tinyui`): the content id
// as a 64-bit little-endian number, base64-encoded, with the trailing "A"s (zero bits) and "="
// padding removed and "/" → "-", "+" → "_" (Confluence's com.atlassian.confluence.pages.TinyUrl,
// `Base64.encodeBase64(longToByteArray(id))`, as described and ported in
// https://community.atlassian.com/t5/Confluence-questions/What-is-the-algorithm-used-to-create-the-quot-Tiny-links-quot/qaq-p/186555 ;
// a real share link: page 201819180 → /x/LIQHD, https://github.com/catetrai/compscimisc).

export function tinyLinkCode(contentId: string | number | bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(contentId));
  return bytes
    .toString('base64')
    .replace(/[A=]+$/, '')
    .replace(/[/+]/g, (c) => (c === '/' ? '-' : '_'));
}

/** The content id a tiny link code stands for (the reverse of tinyLinkCode). */
export function contentIdOfTinyLink(code: string): string {
  const base64 = code.replace(/[-_]/g, (c) => (c === '-' ? '/' : '+')).padEnd(12, 'A');
  const bytes = Buffer.from(`${base64.slice(0, 11)}=`, 'base64');
  return bytes.readBigUInt64LE(0).toString();
}
