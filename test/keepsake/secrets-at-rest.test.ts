// Secrets at rest: ACE's shared secrets and cached OAuth tokens, Keepsake's site keys and the
// cached preference documents are stored sealed with the data key (lib/secrets/); values
// stored before encryption are still read; key rotation re-seals everything with a new key.
// Each test reads the tables directly, on sqlite and (with DATABASE_URL) on Postgres, each on
// a database of its own.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataTypes, Op, QueryTypes, Sequelize, type Model, type ModelStatic } from 'sequelize';
import { SEEDED_USERS, startEmulator } from '../../emulator';
import { migrate } from '../../lib/database/migrate';
import { defineModels } from '../../lib/database/models';
import { DataCipher, keyId, newDataKey, parseDataKey, UnknownDataKeyError } from '../../lib/secrets/data-cipher';
import { developmentDataKey } from '../../lib/secrets/data-key';
import { loadSettings, type Settings } from '../../lib/settings';
import { runRotation } from '../../rotate-data-key';
import { freePort } from '../support/keepsake-process';
import { createDatabase, dropDatabase } from '../support/postgres-database';
import { keepsakeSettings, startStack, storeKinds, type Emulator, type Stack, type StoreKind } from '../support/keepsake-stack';
import type { PreferencesSummary } from '../../lib/preferences/preferences-summary';

const alice = SEEDED_USERS.alice.accountId;
const admin = SEEDED_USERS.admin.accountId;
const KEY_A = newDataKey();
const KEY_B = newDataKey();
const SEALED = /^ks1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/;

// ---------------------------------------------------------------------------------------------
// A database of its own per test, and a plain view of its tables (no getters: what is stored).

interface Database {
  settings: Partial<Settings>;
  connect(): Sequelize;
  drop(): Promise<void>;
}

async function freshDatabase(store: StoreKind): Promise<Database> {
  if (store === 'sqlite') {
    const path = join(mkdtempSync(join(tmpdir(), 'keepsake-secrets-')), 'keepsake.sqlite');
    return {
      settings: { SQLITE_PATH: path },
      connect: () => new Sequelize({ dialect: 'sqlite', storage: path, logging: false }),
      drop: async () => undefined,
    };
  }
  const url = await createDatabase();
  return {
    settings: { DATABASE_URL: url },
    connect: () => new Sequelize(url, { logging: false }),
    drop: () => dropDatabase(url),
  };
}

interface RawTables {
  sequelize: Sequelize;
  aceSettings: ModelStatic<Model>;
  sites: ModelStatic<Model>;
  cache: ModelStatic<Model>;
  /** Every row of these tables (by default ACE's and Keepsake's with sealed columns), as text. */
  dump(tables?: string[]): Promise<string>;
  close(): Promise<void>;
}

function rawTables(db: Database): RawTables {
  const sequelize = db.connect();
  const options = { timestamps: false };
  const aceSettings = sequelize.define(
    'RawAddonSetting',
    { id: { type: DataTypes.INTEGER, primaryKey: true }, clientKey: DataTypes.STRING, key: DataTypes.STRING, val: DataTypes.JSON },
    { ...options, tableName: 'AddonSettings' },
  );
  const sites = sequelize.define(
    'RawSite',
    { clientKey: { type: DataTypes.STRING, primaryKey: true }, siteKey: DataTypes.STRING },
    { ...options, tableName: 'keepsake_sites' },
  );
  const cache = sequelize.define(
    'RawCache',
    {
      clientKey: { type: DataTypes.STRING, primaryKey: true },
      accountId: { type: DataTypes.STRING, primaryKey: true },
      document: DataTypes.JSON,
    },
    { ...options, tableName: 'keepsake_preference_cache' },
  );
  return {
    sequelize,
    aceSettings,
    sites,
    cache,
    async dump(tables = ['AddonSettings', 'ForgeSettings', 'keepsake_sites', 'keepsake_preference_cache']) {
      const rows = await Promise.all(tables.map((t) => sequelize.query(`SELECT * FROM "${t}"`, { type: QueryTypes.SELECT })));
      return JSON.stringify(rows);
    },
    close: () => sequelize.close(),
  };
}

/** Every stored value of the sealed columns, with the id of the key that sealed it (or 'plaintext'). */
async function storedKeyIds(raw: RawTables): Promise<string[]> {
  const values = [
    ...(await raw.aceSettings.findAll()).map((r) => r.getDataValue('val') as unknown),
    ...(await raw.sites.findAll()).map((r) => r.getDataValue('siteKey') as unknown),
    ...(await raw.cache.findAll({ where: { document: { [Op.ne]: null } } })).map((r) => r.getDataValue('document') as unknown),
  ];
  return values.map((v) => (DataCipher.isSealed(v) ? v.split(':')[1] : 'plaintext'));
}

// ---------------------------------------------------------------------------------------------

describe('the data cipher', () => {
  const cipher = new DataCipher(parseDataKey(KEY_A));

  it('seals with the key id in front and opens only with that key, that column and the bytes unchanged', () => {
    const sealed = cipher.seal('keepsake_sites.siteKey', 'the site key');
    assert.match(sealed, SEALED);
    assert.equal(sealed.split(':')[1], keyId(parseDataKey(KEY_A)));
    assert.ok(!sealed.includes('the site key'));
    assert.equal(cipher.open('keepsake_sites.siteKey', sealed), 'the site key');
    assert.notEqual(cipher.seal('keepsake_sites.siteKey', 'the site key'), sealed, 'a fresh IV each time');
    assert.throws(() => cipher.open('keepsake_preference_cache.document', sealed), /integrity check/);
    const body = Buffer.from(sealed.split(':')[2], 'base64url');
    body[body.length - 20] ^= 1;
    assert.throws(
      () => cipher.open('keepsake_sites.siteKey', `ks1:${sealed.split(':')[1]}:${body.toString('base64url')}`),
      /integrity check/,
    );
    // Relabelled with another key's id: no such key here.
    assert.throws(() => cipher.open('keepsake_sites.siteKey', sealed.replace(/^ks1:[0-9a-f]{8}/, 'ks1:00000000')), UnknownDataKeyError);
  });

  it('opens what older keys sealed when they are given as previous keys, and seals with the current one', () => {
    const older = cipher.sealJson('ace.AddonSettings.val', { sharedSecret: 's' }) as string;
    const rotated = new DataCipher(parseDataKey(KEY_B), [parseDataKey(KEY_A)]);
    assert.deepEqual(rotated.openJson('ace.AddonSettings.val', older), { sharedSecret: 's' });
    assert.equal(rotated.needsResealing(older), true);
    const resealed = rotated.sealJson('ace.AddonSettings.val', { sharedSecret: 's' }) as string;
    assert.equal(rotated.needsResealing(resealed), false);
    assert.throws(() => new DataCipher(parseDataKey(KEY_B)).openJson('ace.AddonSettings.val', older), UnknownDataKeyError);
    // Stored before encryption: read as it is, and due for sealing.
    assert.deepEqual(rotated.openJson('ace.AddonSettings.val', { sharedSecret: 's' }), { sharedSecret: 's' });
    assert.equal(rotated.needsResealing({ sharedSecret: 's' }), true);
  });

  it('refuses a key that is not 32 bytes of base64', () => {
    assert.throws(() => parseDataKey('too short'), /32 random bytes/);
    assert.throws(() => parseDataKey(Buffer.alloc(16).toString('base64')), /32 random bytes/);
    assert.throws(() => loadSettings({ KEEPSAKE_DATA_KEY: 'nope' }), /KEEPSAKE_DATA_KEY: a data key is 32 random bytes/);
    assert.throws(
      () => loadSettings({ KEEPSAKE_DATA_KEY: KEY_A, KEEPSAKE_DATA_KEY_PREVIOUS: `${KEY_B},nope` }),
      /KEEPSAKE_DATA_KEY_PREVIOUS/,
    );
    assert.equal(loadSettings({ KEEPSAKE_DATA_KEY: KEY_A, KEEPSAKE_DATA_KEY_PREVIOUS: `${KEY_B}, ${KEY_A}` }).KEEPSAKE_DATA_KEY, KEY_A);
  });

  it('development: generates one key into a file only its owner can read, and reuses it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keepsake-key-')), '.data', 'data-key');
    const keys = await Promise.all(Array.from({ length: 8 }, async () => developmentDataKey(file)));
    assert.equal(new Set(keys).size, 1);
    assert.equal(parseDataKey(keys[0]).length, 32);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(developmentDataKey(file), keys[0]);
    assert.equal(readFileSync(file, 'utf8').trim(), keys[0]);
  });

  it('production refuses to start without KEEPSAKE_DATA_KEY, saying why', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/keepsake',
      AC_LOCAL_BASE_URL: 'https://keepsake.example.com',
    };
    assert.throws(() => loadSettings(production), /without:\n {2}KEEPSAKE_DATA_KEY: the key that encrypts shared secrets/);
    assert.equal(loadSettings({ ...production, KEEPSAKE_DATA_KEY: KEY_A }).KEEPSAKE_DATA_KEY, KEY_A);
  });
});

for (const store of storeKinds()) {
  describe(`secrets at rest (${store})`, function () {
    this.timeout(120_000);
    let emulator: Emulator;
    let db: Database;
    let raw: RawTables | undefined;
    let stack: Stack | undefined;
    let port: number;

    before(async () => {
      emulator = await startEmulator({ port: 0 });
    });
    after(async () => emulator?.close());
    beforeEach(async () => {
      db = await freshDatabase(store);
      port = await freePort();
    });
    afterEach(async () => {
      await stack?.close();
      stack = undefined;
      await raw?.close();
      raw = undefined;
      await db.drop();
    });

    /** Keepsake on this test's database, always on the same port (the installed site knows it). */
    const start = async (keys: Partial<Settings>, install = false) => {
      await stack?.close();
      stack = await startStack({ store, emulator, install, settings: { PORT: port, ...db.settings, ...keys } });
      return stack;
    };
    const settingsWith = (keys: Partial<Settings>) => keepsakeSettings(emulator, { PORT: port, ...db.settings, ...keys });

    /** Installs with key A; alice acts as herself (OAuth tokens are cached) and stores a note. */
    const installAndStore = async (note: string) => {
      const s = await start({ KEEPSAKE_DATA_KEY: KEY_A }, true);
      const settings = await s.api<{ settings: Record<string, unknown> }>(admin, 'GET', '/api/admin/settings');
      assert.equal((await s.api(admin, 'PUT', '/api/admin/settings', { ...settings.body.settings, actAsUser: true })).status, 200);
      const put = await s.api<PreferencesSummary>(alice, 'PUT', '/api/profile', { note });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const addon = s.keepsake.keepsake.addon;
      const info = await addon.settings.get<{ sharedSecret: string }>('clientInfo', s.clientKey);
      const site = await s.keepsake.keepsake.sequelize.models.KeepsakeSite.findByPk(s.clientKey);
      raw = rawTables(db);
      const bearerRows = await raw.aceSettings.findAll({ where: { key: { [Op.like]: 'bearer:%' } } });
      const tokens = await Promise.all(
        bearerRows.map(async (r) => (await addon.settings.get<{ token: string }>(r.getDataValue('key') as string, s.clientKey)).token),
      );
      return { clientKey: s.clientKey, sharedSecret: info.sharedSecret, siteKey: site!.get('siteKey') as string, tokens };
    };

    it('stores no shared secret, OAuth token, site key or document text in plaintext', async () => {
      const note = `note-${Math.random().toString(36).slice(2)}`;
      const secrets = await installAndStore(note);
      assert.ok(secrets.sharedSecret.length >= 32, 'ACE reads its shared secret back');
      assert.equal(Buffer.from(secrets.siteKey, 'base64').length, 32, 'Keepsake reads its site key back');
      assert.ok(secrets.tokens.length >= 1, 'an OAuth token was cached (acting as alice)');
      const dump = await raw!.dump();
      for (const [what, secret] of [
        ['shared secret', secrets.sharedSecret],
        ['site key', secrets.siteKey],
        ['note', note],
        ...secrets.tokens.map((t) => ['OAuth token', t]),
      ]) {
        assert.ok(!dump.includes(secret), `the ${what} is not in the tables`);
      }
      const ids = await storedKeyIds(raw!);
      assert.ok(ids.length >= 4, 'clientInfo, a token, a site, a document');
      assert.deepEqual([...new Set(ids)], [keyId(parseDataKey(KEY_A))], 'every value sealed with key A');
      // What a user sees is unchanged.
      const view = await stack!.api<PreferencesSummary>(alice, 'GET', '/api/preferences');
      assert.equal(view.body.profile.note, note);
      assert.equal(view.body.tampered, false);
      // Reads that refill the cache from Confluence (no row yet, then an outdated row) seal it too.
      await start({ KEEPSAKE_DATA_KEY: KEY_A, KEEPSAKE_CACHE_TTL_SECONDS: 0 });
      await raw!.cache.destroy({ where: { clientKey: secrets.clientKey, accountId: alice } });
      for (const refill of ['a new row', 'an outdated row']) {
        assert.equal((await stack!.api<PreferencesSummary>(alice, 'GET', '/api/preferences')).body.profile.note, note, refill);
        const stored = (await raw!.cache.findOne({ where: { clientKey: secrets.clientKey, accountId: alice } }))?.getDataValue('document');
        assert.match(String(stored), SEALED, refill);
        assert.ok(!(await raw!.dump()).includes(note), refill);
      }
    });

    it('rotation: key A, then B with A as previous and the rotation, then only B: everything still reads', async () => {
      const secrets = await installAndStore('before the rotation');
      await start({ KEEPSAKE_DATA_KEY: KEY_B, KEEPSAKE_DATA_KEY_PREVIOUS: KEY_A });
      // Readable with the previous key, and written with the new one meanwhile.
      assert.equal((await stack!.api<PreferencesSummary>(alice, 'GET', '/api/preferences')).body.profile.note, 'before the rotation');
      assert.equal((await stack!.api<PreferencesSummary>(alice, 'PUT', '/api/profile', { note: 'during the rotation' })).status, 200);
      const before = await storedKeyIds(raw!);
      assert.ok(before.includes(keyId(parseDataKey(KEY_A))), 'some values still sealed with A before the rotation');
      const report = await runRotation(settingsWith({ KEEPSAKE_DATA_KEY: KEY_B, KEEPSAKE_DATA_KEY_PREVIOUS: KEY_A }));
      assert.deepEqual(Object.values(report.unreadable), [0, 0, 0, 0]);
      assert.ok(Object.values(report.resealed).reduce((a, b) => a + b, 0) >= 3, JSON.stringify(report));
      assert.deepEqual([...new Set(await storedKeyIds(raw!))], [keyId(parseDataKey(KEY_B))], 'every value sealed with B');
      // A rotation not given the key in use opens nothing, names that key and changes nothing.
      const lost = await runRotation(settingsWith({ KEEPSAKE_DATA_KEY: newDataKey() }));
      assert.deepEqual(lost.unknownKeyIds, [keyId(parseDataKey(KEY_B))]);
      assert.ok(lost.unreadable['keepsake_sites.siteKey'] >= 1 && lost.unreadable['AddonSettings.val'] >= 1, JSON.stringify(lost));
      assert.deepEqual([...new Set(await storedKeyIds(raw!))], [keyId(parseDataKey(KEY_B))], 'still sealed with B');

      await start({ KEEPSAKE_DATA_KEY: KEY_B });
      const view = await stack!.api<PreferencesSummary>(alice, 'GET', '/api/preferences');
      assert.equal(view.status, 200, 'the context token checks out against the shared secret');
      assert.equal(view.body.profile.note, 'during the rotation');
      // A write reads the record in Confluence (its seal needs the site key) and acts as alice (the cached token).
      const put = await stack!.api<PreferencesSummary>(alice, 'PUT', '/api/profile', { note: 'after the rotation' });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.tampered, false, 'the site key opened the record Confluence holds');
      const stored = await stack!.apRequest<{ value: unknown }>(
        alice,
        'GET',
        `/rest/api/user/${encodeURIComponent(alice)}/property/keepsake-main`,
      );
      assert.equal(stored.status, 200);
      assert.ok(!JSON.stringify(await raw!.dump()).includes(secrets.sharedSecret));
    });

    it('values stored before encryption are read, sealed again at their next write, and all by the rotation', async () => {
      const secrets = await installAndStore('stored in plaintext');
      await stack!.close();
      stack = undefined;
      // The tables as a version without encryption left them.
      const cipher = new DataCipher(parseDataKey(KEY_A));
      for (const row of await raw!.aceSettings.findAll())
        await row.update({ val: cipher.openJson('ace.AddonSettings.val', row.getDataValue('val')) });
      for (const row of await raw!.sites.findAll())
        await row.update({ siteKey: cipher.openJson('keepsake_sites.siteKey', row.getDataValue('siteKey')) });
      for (const row of await raw!.cache.findAll())
        await row.update({ document: cipher.openJson('keepsake_preference_cache.document', row.getDataValue('document')) });
      assert.ok((await raw!.dump()).includes(secrets.sharedSecret));
      assert.deepEqual([...new Set(await storedKeyIds(raw!))], ['plaintext']);

      await start({ KEEPSAKE_DATA_KEY: KEY_A });
      assert.equal((await stack!.api<PreferencesSummary>(alice, 'GET', '/api/preferences')).body.profile.note, 'stored in plaintext');
      const put = await stack!.api<PreferencesSummary>(alice, 'PUT', '/api/profile', { note: 'written again' });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.tampered, false);
      const document = (await raw!.cache.findOne({ where: { clientKey: secrets.clientKey, accountId: alice } }))!.getDataValue('document');
      assert.match(String(document), SEALED, 'the document is sealed at its next write');

      const report = await runRotation(settingsWith({ KEEPSAKE_DATA_KEY: KEY_A }));
      assert.ok(report.resealed['keepsake_sites.siteKey'] >= 1 && report.resealed['AddonSettings.val'] >= 1, JSON.stringify(report));
      assert.deepEqual([...new Set(await storedKeyIds(raw!))], [keyId(parseDataKey(KEY_A))]);
      assert.ok(!(await raw!.dump()).includes(secrets.sharedSecret));
      assert.ok(!(await raw!.dump()).includes(secrets.siteKey));
      await start({ KEEPSAKE_DATA_KEY: KEY_A });
      assert.equal((await stack!.api<PreferencesSummary>(alice, 'GET', '/api/preferences')).body.profile.note, 'written again');
    });

    it('every way the cache table is written seals the document: upsert, update (validated or not), bulkCreate', async () => {
      const cipher = new DataCipher(parseDataKey(KEY_A));
      const sequelize = db.connect();
      try {
        await migrate(sequelize);
        const models = defineModels(sequelize, cipher);
        raw = rawTables(db);
        const row = (accountId: string, text: string | null) => ({
          clientKey: 'site',
          accountId,
          backend: 'user-properties',
          document: text === null ? null : { profile: { note: text } },
          gen: 1,
          chunks: [],
          tampered: [],
          fetchedAt: new Date(),
        });
        const check = async (accountId: string, text: string) => {
          const stored = (await raw!.cache.findOne({ where: { clientKey: 'site', accountId } }))!.getDataValue('document');
          assert.match(String(stored), SEALED, `${text}: sealed`);
          assert.ok(!(await raw!.dump(['keepsake_preference_cache'])).includes(text), `${text}: not in plaintext`);
          const read = await models.cache.findOne({ where: { clientKey: 'site', accountId } });
          assert.deepEqual(read!.get('document'), { profile: { note: text } }, `${text}: read back`);
        };
        await models.cache.upsert(row('u1', 'upserted'));
        await check('u1', 'upserted');
        await models.cache.upsert(row('u1', 'upserted again'));
        await check('u1', 'upserted again');
        await models.cache.update(row('u1', 'updated'), { where: { clientKey: 'site', accountId: 'u1' } });
        await check('u1', 'updated');
        await models.cache.update(
          { document: { profile: { note: 'updated unvalidated' } } },
          { where: { clientKey: 'site', accountId: 'u1' }, validate: false },
        );
        await check('u1', 'updated unvalidated');
        await models.cache.bulkCreate([row('u2', 'bulk created')], { ignoreDuplicates: true });
        await check('u2', 'bulk created');
        await models.cache.create(row('u3', 'created'));
        await check('u3', 'created');
        const instance = await models.cache.findOne({ where: { clientKey: 'site', accountId: 'u3' } });
        await instance!.update({ document: { profile: { note: 'saved' } } });
        await check('u3', 'saved');
        // Nothing stays nothing: SQL NULL, which counts and queries can tell.
        await models.cache.upsert(row('u4', null));
        assert.equal((await raw.cache.findOne({ where: { clientKey: 'site', accountId: 'u4' } }))!.getDataValue('document'), null);
        assert.equal(await models.cache.count({ where: { clientKey: 'site', document: { [Op.ne]: null } } }), 3);
        const siteKey = Buffer.alloc(32, 1).toString('base64');
        await models.sites.create({ clientKey: 'site', siteKey });
        assert.match(String((await raw.sites.findByPk('site'))!.getDataValue('siteKey')), SEALED);
        assert.equal((await models.sites.findByPk('site'))!.get('siteKey'), siteKey);
      } finally {
        await sequelize.close();
      }
    });
  });
}
