// The descriptor's homepage and vendor URL (issue 12, item 5): Confluence links them from Manage
// apps, so each answers a small HTML page about Keepsake, with the headers every answer carries.
import assert from 'node:assert/strict';
import { request, startStack, type Stack } from '../support/keepsake-stack';

interface Descriptor {
  links: { homepage: string };
  vendor: { url: string };
}

describe("the descriptor's homepage and vendor URL", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ install: false });
  });
  after(async () => stack?.close());

  it('answer 200 with an HTML page about Keepsake, not embeddable and loading nothing', async () => {
    const descriptor = await request<Descriptor>(`${stack.keepsake.url}/atlassian-connect.json`, 'GET');
    assert.equal(descriptor.status, 200);
    for (const url of [descriptor.body.links.homepage, descriptor.body.vendor.url]) {
      assert.ok(url.startsWith(stack.keepsake.url), url);
      const page = await fetch(url);
      const html = await page.text();
      assert.equal(page.status, 200, url);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/, url);
      assert.match(html, /<h1>Keepsake<\/h1>/);
      for (const section of ['For whom', 'Privacy', 'Support']) assert.match(html, new RegExp(`<h2>${section}</h2>`), section);
      assert.doesNotMatch(html, /<script/, 'the page loads no script');
      assert.equal(page.headers.get('x-frame-options'), 'DENY', url);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/, url);
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff', url);
      assert.equal(page.headers.get('cache-control'), 'no-store', url);
    }
  });
});
