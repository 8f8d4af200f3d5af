/**
 * How a dev loop ends: on Ctrl-C (SIGINT), SIGTERM, or when it fails, its steps run once —
 * a second Ctrl-C while Keepsake uninstalls itself must not start them again — then it exits.
 */
export function stopOnSignals(steps: () => Promise<void>): (exitCode: number) => Promise<void> {
  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    await steps();
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  return stop;
}
