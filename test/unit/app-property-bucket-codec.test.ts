// An app-property bucket (docs/security.md, "App-property buckets"): every page is exactly the
// value limit, so its size tells nothing; it opens only whole, in order, for its own bucket
// number and site; the page count grows eagerly and shrinks late.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BucketCodec, type BucketContent } from '../../lib/storage/app-property-bucket-codec';

const LIMIT = 4096;

function content(members: number, noteChars = 40): BucketContent {
  return {
    gen: 7,
    writer: 'a1b2c3',
    members: Object.fromEntries(
      Array.from({ length: members }, (_, i) => [`u-${i}`, { main: { k: 2, box: randomBytes(noteChars).toString('base64url') } }]),
    ),
  };
}

describe('BucketCodec', () => {
  const codec = new BucketCodec(randomBytes(32), LIMIT);

  it('opens what it sealed, every page exactly the value limit', () => {
    const bucket = content(80);
    const compressed = codec.compress(bucket);
    const pages = codec.seal(5, compressed, codec.pagesFor(compressed.length, 0));
    assert.ok(pages.length > 1);
    for (const page of pages)
      assert.ok(JSON.stringify(page).length <= LIMIT && JSON.stringify(page).length > LIMIT - 8, `page ${page.page}`);
    assert.deepEqual(codec.open(5, pages), bucket);
  });

  it('fails for another bucket number or key, a page missing, reordered or changed', () => {
    const compressed = codec.compress(content(80));
    const pages = codec.seal(5, compressed, codec.pagesFor(compressed.length, 0));
    assert.equal(codec.open(6, pages), undefined);
    assert.equal(new BucketCodec(randomBytes(32), LIMIT).open(5, pages), undefined);
    assert.equal(codec.open(5, pages.slice(0, -1)), undefined);
    assert.equal(codec.open(5, [...pages].reverse()), undefined);
    assert.ok(pages.length > 1);
    const box = pages[0].box;
    const changedBox = box.slice(0, 10) + (box[10] === 'A' ? 'B' : 'A') + box.slice(11);
    assert.equal(codec.open(5, [{ ...pages[0], box: changedBox }, ...pages.slice(1)]), undefined);
    assert.equal(codec.open(5, []), undefined);
    assert.equal(codec.open(5, [{ not: 'a page' }]), undefined);
  });

  it('looks the same for a small and a larger bucket of the same page count', () => {
    const small = codec.seal(1, codec.compress(content(1)), 1);
    const larger = codec.seal(1, codec.compress(content(8)), 1);
    assert.equal(JSON.stringify(small).length, JSON.stringify(larger).length);
  });

  it('grows as soon as the content needs it, and shrinks only with a quarter page to spare', () => {
    const one = codec.payloadBytes(1);
    assert.equal(codec.pagesFor(one, 1), 1);
    assert.equal(codec.pagesFor(one + 1, 1), 2);
    assert.equal(codec.pagesFor(one - 10, 2), 2, 'fits one page, but with too little to spare');
    assert.equal(codec.pagesFor(Math.floor(one / 2), 2), 1);
  });
});
