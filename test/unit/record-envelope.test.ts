// The envelope of every record Keepsake writes (issue 8): only the server's key opens it, it is
// bound to its owner and name, a byte changed anywhere fails it, and its length says only which
// size bucket the content falls in.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RecordEnvelope } from '../../lib/storage/record-envelope';

describe('RecordEnvelope', () => {
  const siteKey = randomBytes(32);
  const envelope = new RecordEnvelope(siteKey, 32_768);
  const content = { viewMode: 'focus', profile: { note: 'Kept' } };

  it('opens what it sealed, for the same owner and name only', () => {
    const sealed = envelope.seal('alice', 'main', content);
    assert.deepEqual(envelope.open('alice', 'main', sealed), { content, legacy: false });
    assert.equal(envelope.open('bob', 'main', sealed), undefined, 'copied to another user');
    assert.equal(envelope.open('alice', 'c-1', sealed), undefined, 'copied to another name');
    assert.equal(new RecordEnvelope(randomBytes(32), 32_768).open('alice', 'main', sealed), undefined, 'another site’s key');
  });

  it('fails when any byte of the box changes', () => {
    const sealed = envelope.seal('alice', 'main', content);
    const box = Buffer.from(sealed.box as string, 'base64url');
    for (const at of [0, 20, box.length - 1]) {
      const changed = Buffer.from(box);
      changed[at] ^= 1;
      assert.equal(envelope.open('alice', 'main', { ...sealed, box: changed.toString('base64url') }), undefined, `byte ${at}`);
    }
  });

  it('pads to size buckets: small records all look alike, and a stored value never exceeds the limit', () => {
    const small = JSON.stringify(envelope.seal('alice', 'main', { viewMode: 'focus' })).length;
    const card = JSON.stringify(
      envelope.seal('alice', 'main', {
        ...content,
        bookmarks: Array(8).fill({ contentId: '65602', title: 'Release checklist', addedAt: '2026-01-01T00:00:00.000Z' }),
      }),
    ).length;
    assert.equal(card, small);
    const full = { items: 'x'.repeat(envelope.capacity - 30) };
    assert.ok(envelope.fits(full));
    assert.ok(JSON.stringify(envelope.seal('alice', 'c-0', full)).length <= 32_768);
    assert.ok(!envelope.fits({ items: 'x'.repeat(envelope.capacity) }));
  });
});
