// Record encryption, in the bench's own process before any load (synchronous CPU work): seal
// and open of a typical `main` record and of a full chunk with RecordEnvelope (AES-256-GCM,
// padded), against the previous version's plaintext HMAC seal, in rounds of 200 ms, medians.
import { LegacyRecordSeal } from '../lib/storage/legacy-record-seal';
import { RecordEnvelope } from '../lib/storage/record-envelope';
import type { JsonObject } from '../lib/storage/record-store';
import { median } from './load';
import type { Report } from './report';

const ENCRYPTION_ROUNDS = 5;
const ENCRYPTION_RUN_MS = 200;
/** Seal and open of a typical main record and of a full chunk: the encrypted envelope against the plaintext HMAC seal it replaced. */
export function recordEncryption(): { name: string; envelopeUs: number; legacyUs: number; storedChars: number }[] {
  const key = Buffer.alloc(32, 7);
  const envelope = new RecordEnvelope(key, 32_768);
  const legacy = new LegacyRecordSeal(key);
  const page = (i: number) => ({
    contentId: String(65_600 + i),
    title: `A page title of ordinary length ${i}`,
    addedAt: '2026-12-04T10:00:00.000Z',
  });
  const head = {
    v: 2,
    gen: 12,
    writer: 'a1b2c3d4e5f6',
    viewMode: 'compact',
    tracking: { analytics: true },
    profile: { pronouns: 'she/her', note: 'Release captain' },
  };
  const full: JsonObject = { v: 2, items: [] as unknown[] };
  while (envelope.fits({ ...full, items: [...(full.items as unknown[]), page(0)] }))
    (full.items as unknown[]).push(page((full.items as unknown[]).length));
  const records: [string, JsonObject][] = [
    ['main record, 10 bookmarks', { ...head, bookmarks: Array.from({ length: 10 }, (_, i) => page(i)), watches: [] }],
    [`full chunk, ${(full.items as unknown[]).length} pages`, full],
  ];
  const perOp = (op: () => void) => {
    const started = performance.now();
    let runs = 0;
    do {
      op();
      runs++;
    } while (performance.now() - started < ENCRYPTION_RUN_MS);
    return ((performance.now() - started) / runs) * 1000;
  };
  return records.map(([name, content]) => {
    const envelopeTimes: number[] = [];
    const legacyTimes: number[] = [];
    for (let round = 0; round < ENCRYPTION_ROUNDS; round++) {
      envelopeTimes.push(perOp(() => envelope.open('alice', 'main', envelope.seal('alice', 'main', content))));
      legacyTimes.push(perOp(() => legacy.open('alice', 'main', legacy.seal('alice', 'main', content))));
    }
    return {
      name,
      envelopeUs: median(envelopeTimes),
      legacyUs: median(legacyTimes),
      storedChars: JSON.stringify(envelope.seal('alice', 'main', content)).length,
    };
  });
}

export function printRecordEncryption(report: Report, encryption: ReturnType<typeof recordEncryption>): void {
  report.section(
    `Record encryption, seal + open of one record (median of ${ENCRYPTION_ROUNDS} rounds), against the previous version's plaintext HMAC seal`,
  );
  for (const { name, envelopeUs, legacyUs, storedChars } of encryption) {
    report.line(
      `${name.padEnd(40)} ${envelopeUs.toFixed(1).padStart(7)} µs vs ${legacyUs.toFixed(1).padStart(7)} µs   stored ${storedChars} characters`,
    );
  }
}
