/** What the development Keepsake process tells the dev script over the IPC channel. */
export type DevServerMessage =
  /** Listening and installed on every host; `url` is the public base URL (the tunnel's, if any). */
  | { type: 'ready'; url: string }
  /** Could not start or install; `message` says why and what to check. */
  | { type: 'failed'; message: string };
