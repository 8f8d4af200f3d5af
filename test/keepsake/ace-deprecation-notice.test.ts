// Quiet developer output (issue 12, item 5): ACE prints a two-line deprecation notice (ACEJS-115)
// with console.warn whenever an iframe URL carries Confluence's tz/loc parameters, i.e. on every
// iframe load. Keepsake sends it to its own JSON log at debug (platform/connect/ace-logger.ts),
// never to stdout/stderr as plain text.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { SEEDED_USERS } from '../../emulator';
import { createLogger } from '../../lib/logger';
import { APP_KEY, request, startStack, type Stack } from '../support/keepsake-stack';

const { alice } = SEEDED_USERS;

/** Everything written to stdout and stderr while `action` runs (and still printed). */
async function captureOutput(action: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, i) => {
    stream.write = function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return (originals[i] as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
  });
  try {
    await action();
  } finally {
    streams.forEach((stream, i) => (stream.write = originals[i]));
  }
  return written.join('');
}

describe("ACE's deprecation notice", () => {
  let stack: Stack;
  const lines: string[] = [];
  let warnBefore: typeof console.warn;
  before(async () => {
    warnBefore = console.warn;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    stack = await startStack({ logger: createLogger('debug', sink) });
  });
  after(async () => stack?.close());

  it('is not printed as plain text on an iframe load, but written to the JSON log at debug', async () => {
    const iframe = await request<{ url: string }>(
      `${stack.emulator.baseUrl}/_emulator/iframe-url?appKey=${APP_KEY}&moduleKey=keepsake-panel&accountId=${encodeURIComponent(alice.accountId)}`,
      'GET',
    );
    assert.equal(iframe.status, 200);
    const params = new URL(iframe.body.url).searchParams;
    assert.ok(
      params.has('tz') || params.has('loc'),
      `the iframe URL carries Confluence's tz/loc parameters, which make ACE print the notice: ${iframe.body.url}`,
    );

    const before = lines.length;
    let status = 0;
    const printed = await captureOutput(async () => {
      const page = await fetch(iframe.body.url);
      await page.text();
      status = page.status;
    });
    assert.equal(status, 200);
    assert.doesNotMatch(printed, /ACEJS-115|context parameters are deprecated/, "ACE's notice reached stdout/stderr as plain text");

    const notices = lines.slice(before).filter((l) => l.includes('ACEJS-115'));
    assert.equal(notices.length, 1, 'the notice is in the log once for one iframe load');
    const entry = JSON.parse(notices[0]) as { level: number; component?: string; msg: string };
    assert.equal(entry.level, 20, 'at debug');
    assert.equal(entry.component, 'ace');
    assert.match(entry.msg, /timezone, locale, userId and userKey context parameters are deprecated/);
  });

  it('leaves console.warn as it found it once the Keepsake is closed', async () => {
    await stack.close();
    stack = undefined as unknown as Stack;
    assert.equal(console.warn, warnBefore);
  });
});
