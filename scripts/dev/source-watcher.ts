/**
 * Watches the sources during development and says what changed: the server's (restart
 * Keepsake) or the iframes' front end (rebuild it; the server reads the new manifest by itself).
 * Views are not watched: outside production express-hbs reads them on every render.
 * Editors save in bursts (temp file, rename, touch), so changes are gathered for a moment.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export type SourceKind = 'server' | 'frontend';

const SETTLE_MS = 150;
const SOURCE_FILE = /\.(ts|mts|js|json|css)$/;
// ACE reads these at start (its own descriptor watch is off in config.json).
const SERVER_FILES_AT_ROOT = ['server.ts', 'app.ts', 'atlassian-connect.json', 'config.json'];
const SERVER_FOLDERS = ['lib', 'routes', 'platform', 'types'];
const FRONTEND_FOLDERS = ['frontend'];

export interface SourceWatcher {
  close(): void;
}

export function watchSources(root: string, onChange: (kind: SourceKind, files: string[]) => void): SourceWatcher {
  const pending = new Map<SourceKind, { files: Set<string>; timer: NodeJS.Timeout }>();
  const changed = (kind: SourceKind, file: string) => {
    const entry = pending.get(kind) ?? { files: new Set<string>(), timer: setTimeout(() => flush(kind), SETTLE_MS) };
    entry.files.add(file);
    pending.set(kind, entry);
  };
  const flush = (kind: SourceKind) => {
    const entry = pending.get(kind);
    pending.delete(kind);
    if (entry) onChange(kind, [...entry.files].sort());
  };

  const watchers: FSWatcher[] = [
    // The root's files are watched through the folder: editors replace files, which ends a file's watch.
    watch(root, (_event, name) => {
      if (name && SERVER_FILES_AT_ROOT.includes(name)) changed('server', name);
    }),
    ...SERVER_FOLDERS.map((folder) => watchFolder(root, folder, (file) => changed('server', file))),
    ...FRONTEND_FOLDERS.map((folder) => watchFolder(root, folder, (file) => changed('frontend', file))),
  ];
  return {
    close() {
      for (const watcher of watchers) watcher.close();
      for (const entry of pending.values()) clearTimeout(entry.timer);
      pending.clear();
    },
  };
}

function watchFolder(root: string, folder: string, changed: (file: string) => void): FSWatcher {
  return watch(join(root, folder), { recursive: true }, (_event, name) => {
    if (name && SOURCE_FILE.test(name)) changed(join(folder, name));
  });
}
