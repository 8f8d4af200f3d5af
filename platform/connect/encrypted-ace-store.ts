/**
 * ACE's install store with its values encrypted: ACE's own sequelize adapter
 * (node_modules/atlassian-connect-express/lib/store/sequelize.js) does the database work, and
 * every value it writes — install records with their `sharedSecret`, cached `bearer:*` OAuth
 * tokens, Forge app tokens — is sealed first (lib/secrets/data-cipher.ts); every value it reads
 * is opened. Values stored before encryption are read as they are and sealed at their next
 * write (or by `npm run rotate-data-key`).
 *
 * It is registered in ACE's store-adapter registry (`ace.store.register`) and chosen with the
 * store option `adapter`. The adapter also says when its tables exist (`ready()`): ACE's
 * adapter starts creating them in its constructor and offers no other way to wait for that.
 */
import { createRequire } from 'node:module';
import type { ClientInfo, KVStore } from 'atlassian-connect-express';
import type { Model, ModelStatic, Sequelize, Transaction } from 'sequelize';
import { DataCipher, type Purpose } from '../../lib/secrets/data-cipher';
import type { SealedColumn } from '../../lib/secrets/rotate-data-key';

/** The name the adapter is registered under. */
export const ENCRYPTED_STORE = 'keepsake-encrypted-sequelize';

const ADDON_SETTINGS: Purpose = 'ace.AddonSettings.val';
const FORGE_SETTINGS: Purpose = 'ace.ForgeSettings.val';

/** The parts of ACE's sequelize adapter this one builds on (ACE ships no types for it). */
interface SequelizeAdapter {
  schema: Sequelize;
  connectionPromise: Promise<ModelStatic<Model>>;
  installationMappingPromise: Promise<ModelStatic<Model>>;
  forgeSettingsPromise: Promise<ModelStatic<Model>>;
  _get(where: object): Promise<unknown[]>;
  get(key: string, clientKey: string): Promise<unknown>;
  set(key: string, value: unknown, clientKey: string, transaction?: Transaction): Promise<unknown>;
  getClientSettingsForForgeInstallation(forgeInstallationId: string): Promise<unknown>;
  forForgeInstallation(installationId: string): KVStore;
  del(key: string, clientKey?: string): Promise<void>;
  getAllClientInfos(): Promise<ClientInfo[]>;
  saveInstallation(value: ClientInfo, clientKey: string): Promise<ClientInfo>;
  deleteAssociation(forgeInstallationId: string): Promise<void>;
}
type SequelizeAdapterClass = new (logger: unknown, opts: unknown) => SequelizeAdapter;

// Called without arguments, ACE's module returns the adapter class itself.
const SequelizeAdapterClass = (createRequire(__filename)('atlassian-connect-express/lib/store/sequelize') as () => SequelizeAdapterClass)();

export class EncryptedAceStore extends SequelizeAdapterClass {
  constructor(
    logger: unknown,
    opts: unknown,
    private readonly cipher: DataCipher,
  ) {
    super(logger, opts);
  }

  /** Resolves once ACE's tables exist (they are created as the adapter is constructed). */
  async ready(): Promise<void> {
    await Promise.all([this.connectionPromise, this.installationMappingPromise, this.forgeSettingsPromise]);
  }

  override async _get(where: object): Promise<unknown[]> {
    return (await super._get(where)).map((value) => this.open(ADDON_SETTINGS, value));
  }

  override async get(key: string, clientKey: string): Promise<unknown> {
    return this.open(ADDON_SETTINGS, await super.get(key, clientKey));
  }

  /** ACE's `saveInstallation` writes through this too. */
  override async set(key: string, value: unknown, clientKey: string, transaction?: Transaction): Promise<unknown> {
    return this.open(ADDON_SETTINGS, await super.set(key, this.cipher.sealJson(ADDON_SETTINGS, value), clientKey, transaction));
  }

  override async getClientSettingsForForgeInstallation(forgeInstallationId: string): Promise<unknown> {
    return this.open(ADDON_SETTINGS, await super.getClientSettingsForForgeInstallation(forgeInstallationId));
  }

  override forForgeInstallation(installationId: string): KVStore {
    const store = super.forForgeInstallation(installationId);
    return {
      del: (key) => store.del(key),
      get: async <T>(key: string) => this.open(FORGE_SETTINGS, await store.get(key)) as T,
      set: async <T>(key: string, value: T | string) =>
        this.open(FORGE_SETTINGS, await store.set(key, this.cipher.sealJson(FORGE_SETTINGS, value))) as T,
    };
  }

  private open(purpose: Purpose, value: unknown): unknown {
    return this.cipher.openJson(purpose, value);
  }
}

/** The columns this store seals, for the data key rotation (its models are on `sequelize` once it is constructed). */
export function aceSealedColumns(sequelize: Sequelize): SealedColumn[] {
  const column = (name: string, purpose: Purpose): SealedColumn[] => {
    const model = sequelize.models[name];
    return model ? [{ model, primaryKey: [model.primaryKeyAttribute], attribute: 'val', purpose }] : [];
  };
  return [...column('AddonSetting', ADDON_SETTINGS), ...column('ForgeSetting', FORGE_SETTINGS)];
}
