/**
 * How one user's preferences are laid out in records, on either backend, so that a change
 * costs calls in proportion to what changed, not to what the user keeps.
 *
 * `main` holds the single values, the newest items of each set (the tail) and the manifest:
 * for each set, the chunk records holding the rest, in order (ChunkPlan says which chunks a
 * change creates and drops). Chunks are never changed in place: a changed stretch is written
 * under a new name (`c-{n}`, from a counter kept in `main`, POSTed since the name cannot exist
 * yet), `main` is written last, and only then are the replaced chunks removed, so a write cut
 * off half way leaves the previous record whole and readable: nothing is lost.
 *
 * Every record is sealed and encrypted by RecordEnvelope. `main` carries the generation and
 * the writer id of the write that made it: two writers that both thought they held the user's
 * lock write the same generation, and the writer id is how the acknowledged one is told from
 * the late one. Each chunk carries a random tag that `main` names: a chunk replaced under the
 * same name by such a writer does not pass as the one `main` meant.
 *
 * Chunks nothing points at (left by a write cut short, or by a late writer) are swept — by
 * listing the user's records — when there is a sign of them: a POST that found its new name
 * taken, a record that was not the acknowledged one, or a write of this instance that failed.
 * Records of earlier layouts (`main` with `spill` counts and `{set}-{gen}[-{writer}]-{i}`
 * chunks) are read, and replaced by this layout on the next write.
 */
import { randomBytes } from 'node:crypto';
import type { Acting } from '../confluence/client';
import { SET_NAMES, type PageRef, type Preferences, type SetName } from '../preferences/schema';
import { planSet, type Budgets, type ChunkRef, type SetLayout, type SetPlan } from './chunk-plan';
import { plaintextBytes, type RecordEnvelope } from './record-envelope';
import { chunkRecord, earlierMainRecord, mainRecord, type EarlierMainRecord, type MainRecord } from './record-schemas';
import type { JsonObject, RecordStore } from './record-store';

/** What is stored for a user: only what they set; defaults stay in the site's settings. */
export type StoredDocument = Partial<Pick<Preferences, 'viewMode' | 'profile' | 'panelCollapsed'>> & {
  tracking?: Partial<Preferences['tracking']>;
  bookmarks: PageRef[];
  watches: PageRef[];
  updatedAt: Preferences['updatedAt'];
};

/** Where a document's items are: each set's chunks, and the counter new chunk names come from. */
export interface Layout {
  seq: number;
  sets: Record<SetName, SetLayout>;
}

export interface LoadedDocument {
  /** Undefined when the user has nothing stored, or when `main` itself failed its seal. */
  document?: StoredDocument;
  /** The generation of `main`; the next write uses the one after it. */
  gen: number;
  /** The id of the write that made `main` (absent in records older than write fencing). */
  writer?: string;
  /** The chunks `main` lists; undefined for records of an earlier layout. */
  layout?: Layout;
  /** Names of records that were changed outside Keepsake (or are missing while referenced). */
  tampered: string[];
  /** Some record is in a format of an earlier version: the next write re-writes it. */
  legacy?: boolean;
  /** `main` is not the last acknowledged record (a late write of a writer that lost its lock; PreferenceService). */
  conflict?: boolean;
}

export interface SaveOptions {
  /** Look for chunks no record points at, even without a sign of them here (an earlier write of this instance failed). */
  sweep?: boolean;
}

const MAIN = 'main';
const LAYOUT_VERSION = 3;
/** Chunk names: this layout's, and the earlier layouts' (`{set}-{gen}[-{writer}]-{i}`). */
const CHUNK_NAME = /^(?:c-[0-9a-z]+|(?:bookmarks|watches)-[0-9]+-(?:[0-9a-f]+-)?[0-9]+)$/;
/** Each set's tail may take this share of `main`; the rest is for single values and manifests. */
const TAIL_SHARE = 0.3;

export const EMPTY_DOCUMENT: StoredDocument = Object.freeze({ bookmarks: [], watches: [], updatedAt: {} });
export const EMPTY_LAYOUT: Layout = Object.freeze({ seq: 0, sets: { bookmarks: { chunks: [] }, watches: { chunks: [] } } });

/** The names of the chunk records a layout lists. */
export function chunkNames(layout: Layout | undefined): string[] {
  return layout ? SET_NAMES.flatMap((set) => layout.sets[set].chunks.map((ref) => ref.name)) : [];
}

export class DocumentStore {
  private readonly budgets: Budgets;

  constructor(
    readonly records: RecordStore,
    private readonly envelope: RecordEnvelope,
  ) {
    this.budgets = {
      tail: Math.floor(envelope.capacity * TAIL_SHARE),
      chunk: envelope.capacity - plaintextBytes({ v: LAYOUT_VERSION, tag: '0'.repeat(12), items: [] }),
    };
  }

  async load(accountId: string, acting: Acting): Promise<LoadedDocument> {
    const first = await this.loadOnce(accountId, acting);
    // A chunk gone missing may only mean a write replaced it while this read ran (reads take
    // no lock): read once more before calling it tampering.
    return first.tampered.some((name) => name !== MAIN) ? this.loadOnce(accountId, acting) : first;
  }

  private async loadOnce(accountId: string, acting: Acting): Promise<LoadedDocument> {
    const raw = await this.records.read(accountId, MAIN, acting);
    if (!raw) return { gen: 0, tampered: [], layout: EMPTY_LAYOUT };
    const opened = this.envelope.open(accountId, MAIN, raw);
    // The layout version says how to read the rest; a record of neither shape is not Keepsake's.
    const current = opened && opened.content.v === LAYOUT_VERSION ? mainRecord.safeParse(opened.content) : undefined;
    const earlier = opened && !current ? earlierMainRecord.safeParse(opened.content) : undefined;
    const main = current?.success ? current.data : earlier?.success ? earlier.data : undefined;
    if (!opened || !main) return { gen: 0, tampered: [MAIN] };
    const read = current?.success
      ? await this.readSets(accountId, current.data, acting)
      : await this.readEarlierSets(accountId, main as EarlierMainRecord, acting);
    const document: StoredDocument = {
      ...(main.viewMode === undefined ? {} : { viewMode: main.viewMode }),
      ...(main.tracking === undefined ? {} : { tracking: main.tracking }),
      ...(main.profile === undefined ? {} : { profile: main.profile }),
      ...(main.panelCollapsed === undefined ? {} : { panelCollapsed: main.panelCollapsed }),
      bookmarks: read.sets.bookmarks,
      watches: read.sets.watches,
      updatedAt: main.updatedAt,
    };
    const legacy = opened.legacy || read.legacy;
    return {
      document,
      gen: main.gen,
      ...(main.writer ? { writer: main.writer } : {}),
      ...(read.layout ? { layout: read.layout } : {}),
      tampered: read.tampered,
      ...(legacy ? { legacy } : {}),
    };
  }

  /** This layout: each set's chunks (checked against the tags `main` names), then its tail. */
  private async readSets(accountId: string, main: MainRecord, acting: Acting): Promise<ReadSets> {
    const layout: Layout = { seq: main.seq, sets: { bookmarks: { chunks: [] }, watches: { chunks: [] } } };
    const sets = {} as Record<SetName, PageRef[]>;
    const tampered: string[] = [];
    let legacy = false;
    for (const set of SET_NAMES) {
      const refs: ChunkRef[] = main.chunks[set].map(([name, tag, count]) => ({ name, tag, count }));
      layout.sets[set] = { chunks: refs };
      const chunks = await Promise.all(refs.map((ref) => this.readChunk(accountId, ref.name, acting)));
      const items: PageRef[] = [];
      chunks.forEach((chunk, i) => {
        if (!chunk || chunk.tag !== refs[i].tag || chunk.items.length !== refs[i].count) tampered.push(refs[i].name);
        else {
          items.push(...chunk.items);
          legacy ||= chunk.legacy;
        }
      });
      sets[set] = [...items, ...main[set]];
    }
    return { sets, layout, tampered, legacy };
  }

  /** The earlier layouts: `spill` counts of chunks named after the generation (and writer). */
  private async readEarlierSets(accountId: string, main: EarlierMainRecord, acting: Acting): Promise<ReadSets> {
    const { gen, writer } = main;
    const sets = {} as Record<SetName, PageRef[]>;
    const tampered: string[] = [];
    let legacy = false;
    for (const set of SET_NAMES) {
      const names = Array.from({ length: main.spill[set] ?? 0 }, (_, i) =>
        writer ? `${set}-${gen}-${writer}-${i}` : `${set}-${gen}-${i}`,
      );
      const chunks = await Promise.all(names.map((name) => this.readChunk(accountId, name, acting)));
      chunks.forEach((chunk, i) => {
        if (!chunk) tampered.push(names[i]);
        else legacy ||= chunk.legacy;
      });
      sets[set] = [...main[set], ...chunks.flatMap((chunk) => chunk?.items ?? [])];
    }
    return { sets, tampered, legacy };
  }

  /**
   * Writes the document as generation `previous.gen + 1` under a new writer id, creating and
   * dropping only the chunks the change touches, and says what is stored now. Anything other
   * than Keepsake's own acknowledged record in the current layout is laid out afresh.
   */
  async save(
    accountId: string,
    document: StoredDocument,
    previous: LoadedDocument,
    acting: Acting,
    options: SaveOptions = {},
  ): Promise<LoadedDocument> {
    const gen = previous.gen + 1;
    const writer = randomBytes(6).toString('hex');
    const trusted = previous.tampered.length === 0 && !previous.conflict;
    const base = trusted ? previous.layout : undefined;
    let seq = Math.max(previous.layout?.seq ?? 0, 0);
    const newChunk = () => ({ name: `c-${(seq++).toString(36)}`, tag: randomBytes(6).toString('hex') });
    const plan = (budgets: Budgets) =>
      Object.fromEntries(
        SET_NAMES.map((set) => [set, planSet(base?.sets[set], previous.document?.[set] ?? [], document[set], budgets, newChunk)]),
      ) as Record<SetName, SetPlan>;

    let plans = plan(this.budgets);
    let main = this.main(document, gen, writer, seq, plans);
    if (!this.envelope.fits(main)) {
      // Large single values: every item goes to chunks, leaving `main` the values and manifests.
      plans = plan({ ...this.budgets, tail: 0 });
      main = this.main(document, gen, writer, seq, plans);
    }

    const creates = SET_NAMES.flatMap((set) => plans[set].creates);
    const fresh = await Promise.all(
      creates.map(({ name, tag, items }) =>
        this.records.create(accountId, name, this.envelope.seal(accountId, name, { v: LAYOUT_VERSION, tag, items }), acting),
      ),
    );
    const sealed = this.envelope.seal(accountId, MAIN, main);
    const mainIsNew = previous.gen === 0 && !previous.document && previous.tampered.length === 0;
    const mainFresh = mainIsNew
      ? await this.records.create(accountId, MAIN, sealed, acting)
      : (await this.records.write(accountId, MAIN, sealed, acting), true);
    const layout: Layout = { seq, sets: { bookmarks: { chunks: plans.bookmarks.chunks }, watches: { chunks: plans.watches.chunks } } };
    const drops = base ? SET_NAMES.flatMap((set) => plans[set].drops) : [];
    await Promise.all(drops.map((name) => this.records.remove(accountId, name, acting)));

    // A taken name, a record not our own, an earlier layout: chunks may lie about unlisted.
    const earlierChunks = !base && previous.gen > 0;
    if (options.sweep || !mainFresh || fresh.includes(false) || !trusted || previous.legacy || earlierChunks) {
      await this.sweep(accountId, chunkNames(layout), acting);
    }
    // The plan keeps the order of the items, so what is stored is the document as given.
    return { document, gen, writer, layout, tampered: [] };
  }

  /** Removes every record of the user (a storage move, or the user's own erasure); answers how many. */
  async erase(accountId: string, acting: Acting): Promise<number> {
    const names = await this.records.list(accountId, acting);
    // main last: until it is gone the data stays readable.
    for (const name of names.filter((n) => n !== MAIN)) await this.records.remove(accountId, name, acting);
    if (names.includes(MAIN)) await this.records.remove(accountId, MAIN, acting);
    return names.length;
  }

  private main(document: StoredDocument, gen: number, writer: string, seq: number, plans: Record<SetName, SetPlan>): JsonObject {
    return {
      v: LAYOUT_VERSION,
      gen,
      writer,
      seq,
      viewMode: document.viewMode,
      tracking: document.tracking,
      profile: document.profile,
      panelCollapsed: document.panelCollapsed,
      updatedAt: document.updatedAt,
      bookmarks: plans.bookmarks.tail,
      watches: plans.watches.tail,
      chunks: Object.fromEntries(SET_NAMES.map((set) => [set, plans[set].chunks.map((ref) => [ref.name, ref.tag, ref.count])])),
    };
  }

  /** Removes the user's chunk records other than `keep`: replaced ones and orphans. */
  private async sweep(accountId: string, keep: string[], acting: Acting): Promise<void> {
    const kept = new Set(keep);
    const names = await this.records.list(accountId, acting);
    await Promise.all(
      names.filter((name) => CHUNK_NAME.test(name) && !kept.has(name)).map((name) => this.records.remove(accountId, name, acting)),
    );
  }

  /** A chunk that opens and has a chunk's shape; undefined for anything else (tampered). */
  private async readChunk(
    accountId: string,
    name: string,
    acting: Acting,
  ): Promise<{ items: PageRef[]; tag?: string; legacy: boolean } | undefined> {
    const raw = await this.records.read(accountId, name, acting);
    const opened = raw && this.envelope.open(accountId, name, raw);
    const parsed = opened ? chunkRecord.safeParse(opened.content) : undefined;
    return opened && parsed?.success
      ? { items: parsed.data.items, ...(parsed.data.tag ? { tag: parsed.data.tag } : {}), legacy: opened.legacy }
      : undefined;
  }
}

interface ReadSets {
  sets: Record<SetName, PageRef[]>;
  layout?: Layout;
  tampered: string[];
  legacy: boolean;
}
