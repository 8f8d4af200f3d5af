// Records as earlier versions wrote them are still opened once, to be re-written encrypted
// (issue 8): the HMAC-sealed plaintext record, and the app-property value around it. Each
// opens only for its owner, name and key, and any change fails it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { LegacyAppPropertyCipher } from '../../lib/storage/legacy-app-property-cipher';
import { LegacyRecordSeal } from '../../lib/storage/legacy-record-seal';

describe('LegacyRecordSeal', () => {
  const seal = new LegacyRecordSeal(randomBytes(32));
  const content = { gen: 3, viewMode: 'focus', profile: { note: 'Kept', location: 'Berlin' } };

  it('opens what it sealed for the same owner, name and key, whatever order the keys come back in', () => {
    const sealed = seal.seal('alice', 'main', content);
    assert.deepEqual(seal.open('alice', 'main', sealed), content);
    const reordered = { profile: { location: 'Berlin', note: 'Kept' }, seal: sealed.seal, viewMode: 'focus', gen: 3 };
    assert.deepEqual(seal.open('alice', 'main', reordered), { profile: { location: 'Berlin', note: 'Kept' }, viewMode: 'focus', gen: 3 });
  });

  it('fails for another owner, name or key, a changed value, or no seal', () => {
    const sealed = seal.seal('alice', 'main', content);
    assert.equal(seal.open('bob', 'main', sealed), undefined);
    assert.equal(seal.open('alice', 'bookmarks-1-0', sealed), undefined);
    assert.equal(new LegacyRecordSeal(randomBytes(32)).open('alice', 'main', sealed), undefined);
    assert.equal(seal.open('alice', 'main', { ...sealed, viewMode: 'compact' }), undefined);
    assert.equal(seal.open('alice', 'main', { ...sealed, seal: 'short' }), undefined);
    assert.equal(seal.open('alice', 'main', content), undefined);
  });
});

describe('LegacyAppPropertyCipher', () => {
  const siteKey = randomBytes(32);
  const cipher = new LegacyAppPropertyCipher(siteKey);
  const record = { viewMode: 'compact', seal: 'x' };

  it('decrypts what it encrypted at the same property key only', () => {
    const stored = cipher.encrypt(record, 'u-1-main');
    assert.ok(LegacyAppPropertyCipher.matches(stored));
    assert.deepEqual(cipher.decrypt(stored, 'u-1-main'), record);
    assert.equal(cipher.decrypt(stored, 'u-2-main'), undefined, 'moved to another key');
    assert.equal(new LegacyAppPropertyCipher(randomBytes(32)).decrypt(stored, 'u-1-main'), undefined);
  });

  it('fails a changed value and recognises only its own shape', () => {
    const stored = cipher.encrypt(record, 'u-1-main');
    const data = Buffer.from(String(stored.data), 'base64url');
    data[0] ^= 1;
    assert.equal(cipher.decrypt({ ...stored, data: data.toString('base64url') }, 'u-1-main'), undefined);
    assert.equal(LegacyAppPropertyCipher.matches({ k: 2, box: 'x' }), false);
    assert.equal(LegacyAppPropertyCipher.matches({ ...stored, v: 2 }), false);
  });
});
