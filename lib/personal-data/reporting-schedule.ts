/**
 * The timer that runs each site's personal-data reporting cycle when it is due, for sites
 * installed the Connect way (installed as Connect on Forge, the daily scheduled trigger runs it
 * too; running both is harmless: a cycle that is not due does nothing, and one instance at a
 * time holds a site's lease). Each instance checks every site now and then; failures are
 * logged, and the cycle resumes at the next check.
 */
import type { Logger } from '../logger';
import type { SiteContexts } from '../sites/site-context';
import type { SiteRegistry } from '../sites/site-registry';
import type { AccountReporting } from './account-reporting';

export function startReportingSchedule(options: {
  registry: SiteRegistry;
  contexts: SiteContexts;
  reporting: AccountReporting;
  intervalMs: number;
  logger: Logger;
}): { stop(): Promise<void> } {
  const { registry, contexts, reporting, intervalMs, logger } = options;
  let running: Promise<void> = Promise.resolve();
  const check = async () => {
    for (const clientKey of await registry.installedClientKeys()) {
      try {
        const outcome = await reporting.run(await contexts.forClient(clientKey));
        if (outcome.state !== 'not-due' && outcome.state !== 'busy')
          logger.info({ clientKey, ...outcome }, 'personal-data reporting cycle');
      } catch (error) {
        logger.warn({ clientKey, err: error }, 'personal-data reporting cycle could not run; it is tried again at the next check');
      }
    }
  };
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          running = running.then(check);
        }, intervalMs)
      : undefined;
  timer?.unref();
  return {
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
