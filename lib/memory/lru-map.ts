/**
 * A Map that forgets its least recently used entries beyond `capacity`, bounding memory. The
 * capacity is in the units `sizeOf` measures: entries by default, or bytes when given a
 * measure of each value (an entry larger than the whole capacity is not kept).
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, { value: V; size: number }>();
  private used = 0;

  constructor(
    private readonly capacity: number,
    private readonly sizeOf: (value: V) => number = () => 1,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry?.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const size = this.sizeOf(value);
    if (size > this.capacity) return;
    this.entries.set(key, { value, size });
    this.used += size;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.capacity) break;
      this.entries.delete(oldest);
      this.used -= entry.size;
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.size;
  }

  /** Removes every entry the predicate picks (a walk over all of them: for rare, wide changes). */
  deleteWhere(picked: (key: K, value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (picked(key, entry.value)) this.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The capacity used, in `sizeOf`'s units. */
  get usage(): number {
    return this.used;
  }
}
