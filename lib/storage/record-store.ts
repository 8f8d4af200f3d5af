/**
 * The one interface every storage backend implements: named JSON objects ("records") kept
 * per user on one site. Upsert, idempotent delete and listing are provided here even where
 * the Confluence API underneath has neither (user properties have no upsert).
 */
import type { Acting } from '../confluence/client';

export const BACKENDS = ['user-properties', 'app-properties'] as const;
export type Backend = (typeof BACKENDS)[number];

export type JsonObject = { [key: string]: unknown };

export interface RecordStore {
  readonly backend: Backend;
  /** The largest record, in characters of JSON, that the backend accepts. */
  readonly maxRecordChars: number;
  /** The record, or undefined when there is none. */
  read(accountId: string, name: string, acting: Acting): Promise<JsonObject | undefined>;
  /** Creates or replaces the record. */
  write(accountId: string, name: string, value: JsonObject, acting: Acting): Promise<void>;
  /**
   * Writes a record under a name that should not exist yet, in one call where the API allows
   * (POST first). Answers false when the name existed after all (it is replaced then): a sign
   * that an earlier write was cut short and may have left records behind.
   */
  create(accountId: string, name: string, value: JsonObject, acting: Acting): Promise<boolean>;
  /** Removes the record; removing one that is not there is not an error. */
  remove(accountId: string, name: string, acting: Acting): Promise<void>;
  /** The names of the user's records. */
  list(accountId: string, acting: Acting): Promise<string[]>;
}
