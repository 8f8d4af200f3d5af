// What a page view downloads, at each set size: the panel's HTML and `GET /api/preferences`,
// in bytes as sent — plain (a client that asks for no compression) and gzipped — counted from
// the socket, so compression cannot hide in a decoded body.
import { request } from 'node:http';
import type { EmulatorControl } from './emulator-control';
import type { BenchUser } from './population';
import type { Report } from './report';

export interface PayloadSizes {
  panelBytes: number;
  panelGzipBytes: number;
  summaryBytes: number;
  summaryGzipBytes: number;
}

/** The bytes of the answer's body as they crossed the wire; a non-200 answer is an error. */
function wireBytes(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(bytes) : reject(new Error(`GET ${new URL(url).pathname} → ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function measurePayloads(
  report: Report,
  control: EmulatorControl,
  keepsakeUrl: string,
  bySetSize: ReadonlyMap<number, BenchUser>,
  pageId: string,
): Promise<Map<number, PayloadSizes>> {
  report.section(`What a page view downloads, by bookmarks held (bytes: plain / gzip)`);
  const sizes = new Map<number, PayloadSizes>();
  for (const [size, user] of bySetSize) {
    const plain = { 'Accept-Encoding': 'identity' };
    const gzip = { 'Accept-Encoding': 'gzip' };
    // The iframe URL carries a page-load JWT good for one load: one URL per request.
    const panel = async (encoding: Record<string, string>) =>
      wireBytes(await control.iframeUrl('keepsake-panel', user.accountId, pageId), encoding);
    const auth = { Authorization: `JWT ${user.token}` };
    const summary = `${keepsakeUrl}/api/preferences`;
    const figures: PayloadSizes = {
      panelBytes: await panel(plain),
      panelGzipBytes: await panel(gzip),
      summaryBytes: await wireBytes(summary, { ...auth, ...plain }),
      summaryGzipBytes: await wireBytes(summary, { ...auth, ...gzip }),
    };
    sizes.set(size, figures);
    report.line(
      `${`${size.toLocaleString('en')} bookmarks:`.padEnd(18)} panel HTML ${figures.panelBytes.toLocaleString('en').padStart(7)} / ${figures.panelGzipBytes.toLocaleString('en').padStart(6)}   GET /api/preferences ${figures.summaryBytes.toLocaleString('en').padStart(7)} / ${figures.summaryGzipBytes.toLocaleString('en').padStart(6)}`,
    );
  }
  return sizes;
}
