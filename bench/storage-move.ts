// A storage move of the whole site (docs/api.md, "Storage moves"): the admin switches a site of
// typical users from user properties to app properties, the move runs in the background, and
// the bench follows GET /api/admin/storage until it ends. The same move answers the app-property
// fallback's capacity: how many typical users it holds within the emulator's default caps
// (100 properties of 32,768 characters, as Confluence's).
import { SEEDED_USERS } from '../emulator';
import type { EmulatorControl } from './emulator-control';
import type { BenchUser, KeepsakeClient } from './population';
import type { Report } from './report';

/** How long the bench follows the move (BENCH_MOVE_LIMIT_S, default 300 s): a run's time stays bounded. */
const MOVE_LIMIT_MS = Number(process.env.BENCH_MOVE_LIMIT_S ?? 300) * 1000;

interface StorageStatus {
  activeBackend: string;
  move: { state: string; total: number; moved: number; remaining: number; failed: number; error?: string } | null;
}

export interface MoveFigures {
  users: number;
  seconds: number;
  state: string;
  /** Users whose data lives on app properties once the move ended (or the bench stopped waiting). */
  onAppProperties: number;
  appProperties: number;
  callsPerUser: number;
  confluenceCallsPerSecond: number;
}

/** `typical`: how many of the site's users are of typical size (the others come from the bench's other sections). */
export async function measureStorageMove(
  report: Report,
  control: EmulatorControl,
  keepsake: KeepsakeClient,
  typical: number,
  directPutRps: number,
): Promise<MoveFigures> {
  const admin: BenchUser = { accountId: SEEDED_USERS.admin.accountId, token: await control.contextToken(SEEDED_USERS.admin.accountId) };
  await control.settle();
  const { settings } = await keepsake.call<{ settings: Record<string, unknown> }>(admin, 'GET', '/api/admin/settings');
  const started = performance.now();
  const saved = await keepsake.call<{ storage: StorageStatus }>(admin, 'PUT', '/api/admin/settings', {
    ...settings,
    mode: 'app-properties',
  });
  const total = saved.storage.move?.total ?? 0;
  // The log holds 10,000 entries: take what arrived each second and clear it (the few calls that
  // land between the read and the clear are missed: the count is a slight undercount).
  let calls = 0;
  let status: StorageStatus;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    calls += (await control.calls()).length;
    await control.clearCalls();
    status = await keepsake.call<StorageStatus>(admin, 'GET', '/api/admin/storage');
    if (!status.move || status.move.state !== 'moving') break;
    // The bench's run time stays bounded: a slower move is reported as far as it got.
    if (performance.now() - started > MOVE_LIMIT_MS) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const keys = await control.apRequest<{ keys: unknown[] }>(admin.accountId, 'GET', '/rest/atlassian-connect/1/addons/keepsake/properties');
  const moved = status.move ? status.move.moved : total;
  const figures: MoveFigures = {
    users: total,
    seconds,
    state: !status.move
      ? `done (active backend ${status.activeBackend})`
      : status.move.state === 'moving'
        ? `still moving after ${MOVE_LIMIT_MS / 1000} s (BENCH_MOVE_LIMIT_S; not waited for)`
        : status.move.state,
    onAppProperties: moved,
    appProperties: keys.keys.length,
    callsPerUser: calls / Math.max(moved, 1),
    confluenceCallsPerSecond: calls / seconds,
  };
  report.section(
    `Storage move: ${total.toLocaleString('en')} users (${typical.toLocaleString('en')} of typical size, the rest from the sections above) from user properties to app properties, default caps (100 app properties)`,
  );
  report.line(`${figures.state}${status.move?.error ? `: ${status.move.error}` : ''}`);
  report.line(
    `${moved.toLocaleString('en')} users moved in ${seconds.toFixed(1)} s (${(moved / seconds).toFixed(0)} users/s); ${figures.appProperties} app properties hold them`,
  );
  report.line(
    `Confluence calls: ${figures.callsPerUser.toFixed(2)} per user moved, ${figures.confluenceCallsPerSecond.toFixed(0)}/s = ${(figures.confluenceCallsPerSecond / directPutRps).toFixed(2)} × the emulator's direct PUT throughput`,
  );
  return figures;
}
