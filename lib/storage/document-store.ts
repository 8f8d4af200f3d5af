/**
 * How one user's preferences are laid out in records, on either backend.
 *
 * Everything fits in one record, `main`, for nearly every user: one call to read, one to write.
 * When bookmarks or watches outgrow a record's size limit, they spill into chunk records named
 * `{set}-{gen}-{i}`, where `gen` is the generation of `main` that points at them. A write puts
 * the new chunks under the next generation's names first and `main` last, so a write cut off
 * half way leaves the previous generation whole and readable: nothing is lost. Chunks of the
 * replaced generation are removed afterwards.
 */
import type { Acting } from '../confluence/client';
import { SET_NAMES, type PageRef, type Preferences, type SetName } from '../preferences/schema';
import type { JsonObject, RecordStore } from './record-store';
import type { RecordSeal } from './record-seal';

/** What is stored for a user: only what they set; defaults stay in the site's settings. */
export type StoredDocument = Partial<Pick<Preferences, 'viewMode' | 'profile' | 'panelCollapsed'>> & {
  tracking?: Partial<Preferences['tracking']>;
  bookmarks: PageRef[];
  watches: PageRef[];
  updatedAt: Preferences['updatedAt'];
};

export interface LoadedDocument {
  /** Undefined when the user has nothing stored, or when `main` itself failed its seal. */
  document?: StoredDocument;
  /** The generation of `main`; the next write uses the one after it. */
  gen: number;
  /** Names of records that were changed outside Keepsake (or are missing while referenced). */
  tampered: string[];
  /** The chunk records `main` points at. */
  chunks: string[];
}

const MAIN = 'main';
const LAYOUT_VERSION = 1;

export const EMPTY_DOCUMENT: StoredDocument = Object.freeze({ bookmarks: [], watches: [], updatedAt: {} });

export class DocumentStore {
  constructor(
    readonly records: RecordStore,
    private readonly seal: RecordSeal,
  ) {}

  async load(accountId: string, acting: Acting): Promise<LoadedDocument> {
    const first = await this.loadOnce(accountId, acting);
    // A chunk gone missing may only mean a write replaced the generation while this read ran
    // (reads take no lock): read once more before calling it tampering.
    return first.tampered.some((name) => name !== MAIN) ? this.loadOnce(accountId, acting) : first;
  }

  private async loadOnce(accountId: string, acting: Acting): Promise<LoadedDocument> {
    const raw = await this.records.read(accountId, MAIN, acting);
    if (!raw) return { gen: 0, tampered: [], chunks: [] };
    const main = this.seal.open(accountId, MAIN, raw);
    const gen = typeof raw.gen === 'number' && Number.isInteger(raw.gen) ? raw.gen : 0;
    if (!main) return { gen, tampered: [MAIN], chunks: [] };

    const tampered: string[] = [];
    const allChunks: string[] = [];
    const spill = (main.spill ?? {}) as Partial<Record<SetName, number>>;
    const sets = {} as Record<SetName, PageRef[]>;
    for (const set of SET_NAMES) {
      const inline = (main[set] ?? []) as PageRef[];
      const names = Array.from({ length: spill[set] ?? 0 }, (_, i) => chunkName(set, gen, i));
      allChunks.push(...names);
      const chunks = await Promise.all(names.map((name) => this.readChunk(accountId, name, acting)));
      chunks.forEach((items, i) => {
        if (!items) tampered.push(names[i]);
      });
      sets[set] = [...inline, ...chunks.flatMap((items) => items ?? [])];
    }
    const document: StoredDocument = {
      ...(main.viewMode === undefined ? {} : { viewMode: main.viewMode as StoredDocument['viewMode'] }),
      ...(main.tracking === undefined ? {} : { tracking: main.tracking as StoredDocument['tracking'] }),
      ...(main.profile === undefined ? {} : { profile: main.profile as StoredDocument['profile'] }),
      ...(typeof main.panelCollapsed === 'boolean' ? { panelCollapsed: main.panelCollapsed } : {}),
      bookmarks: sets.bookmarks,
      watches: sets.watches,
      updatedAt: (main.updatedAt ?? {}) as StoredDocument['updatedAt'],
    };
    return { document, gen, tampered, chunks: allChunks };
  }

  /** Writes the document as generation `previous.gen + 1`, retires `previous`'s chunks, and says what is stored now. */
  async save(accountId: string, document: StoredDocument, previous: LoadedDocument, acting: Acting): Promise<LoadedDocument> {
    const gen = previous.gen + 1;
    const head: JsonObject = {
      v: LAYOUT_VERSION,
      gen,
      viewMode: document.viewMode,
      tracking: document.tracking,
      profile: document.profile,
      panelCollapsed: document.panelCollapsed,
      updatedAt: document.updatedAt,
    };
    let main = this.sealed(accountId, MAIN, { ...head, bookmarks: document.bookmarks, watches: document.watches });
    const chunkWrites: [string, JsonObject][] = [];
    if (!this.fits(main)) {
      const spill: Partial<Record<SetName, number>> = {};
      for (const set of SET_NAMES) {
        const chunks = this.split(accountId, set, gen, document[set]);
        spill[set] = chunks.length;
        chunkWrites.push(...chunks);
      }
      main = this.sealed(accountId, MAIN, { ...head, bookmarks: [], watches: [], spill });
    }
    for (const [name, record] of chunkWrites) {
      await this.records.write(accountId, name, record, acting);
    }
    await this.records.write(accountId, MAIN, main, acting);
    await this.retireChunks(accountId, previous, acting);
    return { document, gen, tampered: [], chunks: chunkWrites.map(([name]) => name) };
  }

  /** Removes every record of the user (used when a site moves to the other backend). */
  async erase(accountId: string, acting: Acting): Promise<void> {
    const names = await this.records.list(accountId, acting);
    // main last: until it is gone the data stays readable.
    for (const name of names.filter((n) => n !== MAIN)) await this.records.remove(accountId, name, acting);
    if (names.includes(MAIN)) await this.records.remove(accountId, MAIN, acting);
  }

  private async readChunk(accountId: string, name: string, acting: Acting): Promise<PageRef[] | undefined> {
    const raw = await this.records.read(accountId, name, acting);
    const chunk = raw && this.seal.open(accountId, name, raw);
    return chunk && Array.isArray(chunk.items) ? (chunk.items as PageRef[]) : undefined;
  }

  private async retireChunks(accountId: string, previous: LoadedDocument, acting: Acting): Promise<void> {
    for (const name of previous.chunks) await this.records.remove(accountId, name, acting);
  }

  /** Packs items into as few chunks as fit the record limit, measuring each item once. */
  private split(accountId: string, set: SetName, gen: number, items: PageRef[]): [string, JsonObject][] {
    const seal = (index: number, chunkItems: PageRef[]): [string, JsonObject] => {
      const name = chunkName(set, gen, index);
      return [name, this.sealed(accountId, name, { v: LAYOUT_VERSION, items: chunkItems })];
    };
    const envelope = JSON.stringify(seal(0, [])[1]).length + 16; // room for a longer chunk name's index
    const budget = this.records.maxRecordChars - envelope;
    const groups: PageRef[][] = [];
    let current: PageRef[] = [];
    let size = 0;
    for (const item of items) {
      const itemSize = JSON.stringify(item).length + 1; // and its comma
      if (current.length > 0 && size + itemSize > budget) {
        groups.push(current);
        current = [];
        size = 0;
      }
      current.push(item);
      size += itemSize;
    }
    if (current.length > 0) groups.push(current);
    return groups.map((group, index) => seal(index, group));
  }

  private sealed(accountId: string, name: string, content: JsonObject): JsonObject {
    return this.seal.seal(accountId, name, content);
  }

  private fits(record: JsonObject): boolean {
    return JSON.stringify(record).length <= this.records.maxRecordChars;
  }
}

function chunkName(set: SetName, gen: number, index: number): string {
  return `${set}-${gen}-${index}`;
}
