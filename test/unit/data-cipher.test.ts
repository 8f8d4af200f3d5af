// Secrets at rest (docs/security.md): sealed with the current data key, bound to their column,
// still opened with a previous key during a rotation, and never opened with a wrong one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DataCipher, UnknownDataKeyError, keyId, parseDataKey } from '../../lib/secrets/data-cipher';

describe('DataCipher', () => {
  const current = randomBytes(32);
  const previous = randomBytes(32);
  const cipher = new DataCipher(current, [previous]);

  it('opens what it sealed, for the same column only, and names the key', () => {
    const sealed = cipher.seal('keepsake_sites.siteKey', 'secret');
    assert.match(sealed, new RegExp(`^ks1:${keyId(current)}:`));
    assert.equal(cipher.open('keepsake_sites.siteKey', sealed), 'secret');
    assert.throws(() => cipher.open('ace.AddonSettings.val', sealed), /integrity/);
  });

  it('opens a value sealed with a previous key and asks for it to be re-sealed; an unknown key is named', () => {
    const old = new DataCipher(previous).seal('keepsake_preference_cache.document', '{"a":1}');
    assert.equal(cipher.open('keepsake_preference_cache.document', old), '{"a":1}');
    assert.equal(cipher.needsResealing(old), true);
    assert.equal(cipher.needsResealing(cipher.seal('keepsake_sites.siteKey', 'x')), false);
    assert.equal(cipher.needsResealing('plaintext'), true);
    assert.equal(cipher.needsResealing(null), false);
    const stranger = new DataCipher(randomBytes(32)).seal('keepsake_sites.siteKey', 'x');
    assert.throws(() => cipher.open('keepsake_sites.siteKey', stranger), UnknownDataKeyError);
  });

  it('fails a changed or relabelled value', () => {
    const sealed = cipher.seal('keepsake_sites.siteKey', 'secret');
    const [version, id, body] = sealed.split(':');
    const bytes = Buffer.from(body, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    assert.throws(() => cipher.open('keepsake_sites.siteKey', `${version}:${id}:${bytes.toString('base64url')}`), /integrity/);
    // The same ciphertext under the previous key's id: the header is bound too.
    assert.throws(() => cipher.open('keepsake_sites.siteKey', `${version}:${keyId(previous)}:${body}`), /integrity/);
    assert.throws(() => cipher.open('keepsake_sites.siteKey', `${version}:${id}:AAAA`), /truncated/);
  });

  it('leaves plaintext stored before encryption, null and already sealed values as they are', () => {
    assert.deepEqual(cipher.openJson('keepsake_preference_cache.document', { a: 1 }), { a: 1 });
    assert.equal(cipher.sealJson('keepsake_preference_cache.document', null), null);
    const sealed = cipher.sealJson('keepsake_preference_cache.document', { a: 1 }) as string;
    assert.equal(cipher.sealJson('keepsake_preference_cache.document', sealed), sealed);
    assert.deepEqual(cipher.openJson('keepsake_preference_cache.document', sealed), { a: 1 });
    assert.equal(cipher.openText('keepsake_sites.siteKey', 'plain'), 'plain');
    assert.equal(cipher.openText('keepsake_sites.siteKey', cipher.sealText('keepsake_sites.siteKey', 'k')), 'k');
  });

  it('takes a data key only as 32 bytes of base64', () => {
    assert.equal(parseDataKey(` ${current.toString('base64')}\n`).equals(current), true);
    assert.throws(() => parseDataKey(randomBytes(16).toString('base64')), /32 random bytes/);
    assert.throws(() => parseDataKey('not base64 at all!'), /32 random bytes/);
    assert.deepEqual(new DataCipher(current, [current, previous]).keyIds(), [keyId(current), keyId(previous)]);
  });
});
