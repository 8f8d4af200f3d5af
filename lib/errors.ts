/**
 * Keepsake's one error type. Every failure that reaches a client carries a stable `code`,
 * the HTTP status it maps to, and a sentence a person can act on.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'MALFORMED_REQUEST'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'HEADERS_TOO_LARGE'
  | 'STORAGE_FULL'
  | 'SITE_NOT_INSTALLED'
  | 'CONFLUENCE_RATE_LIMITED'
  | 'CONFLUENCE_UNAVAILABLE'
  | 'CONFLUENCE_REJECTED'
  | 'USER_PROPERTIES_UNAVAILABLE'
  | 'TIMEOUT'
  | 'TOO_MANY_WRITES'
  | 'STARTING'
  | 'NOT_READY'
  | 'INTERNAL';

const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  MALFORMED_REQUEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  STORAGE_FULL: 507,
  SITE_NOT_INSTALLED: 401,
  CONFLUENCE_RATE_LIMITED: 429,
  CONFLUENCE_UNAVAILABLE: 503,
  CONFLUENCE_REJECTED: 502,
  USER_PROPERTIES_UNAVAILABLE: 503,
  TIMEOUT: 503,
  TOO_MANY_WRITES: 429,
  STARTING: 503,
  NOT_READY: 503,
  INTERNAL: 500,
};

export class KeepsakeError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds the client should wait before trying again (429/503). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'KeepsakeError';
    this.status = STATUS[code];
  }

  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}
