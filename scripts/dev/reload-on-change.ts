/** Development's reload: server source changes restart Keepsake, front-end changes rebuild the bundles. */
import { buildFrontend } from '../build-frontend';
import type { KeepsakeSupervisor } from './keepsake-supervisor';
import { watchSources, type SourceWatcher } from './source-watcher';

export function reloadOnChange(root: string, keepsake: KeepsakeSupervisor, log: (line: string) => void): SourceWatcher {
  return watchSources(root, (kind, files) => {
    if (kind === 'server') {
      void keepsake.restart(`${files.join(', ')} changed`);
      return;
    }
    buildFrontend().then(
      () => log(`${files.join(', ')} changed: front end rebuilt (reload the page).`),
      (error: Error) => log(`The front-end build failed: ${error.message}`),
    );
  });
}
