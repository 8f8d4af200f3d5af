/**
 * The settings of the development scripts themselves (Keepsake's own are in lib/settings.ts).
 * Ports and the emulator's state file follow `npm run emulator`'s variables.
 */
import { join, resolve } from 'node:path';

export interface DevSettings {
  /** Keepsake's port. */
  port: number;
  /** The emulator's port. */
  emulatorPort: number;
  /** Where the emulated site is kept between runs. */
  emulatorStateFile: string;
  /** How long ACE's register() (tunnel, UPM install) may take before the dev script gives up. */
  registerTimeoutMs: number;
  /** dev:tunnel: how long opening the ngrok tunnel may take. */
  tunnelTimeoutMs: number;
  /** dev:tunnel: how long one `forge deploy`, `forge install` or `forge register` may take (checks and listings: at most a minute). */
  forgeTimeoutMs: number;
  /** dev:tunnel: the folder of the rendered manifest.yml and the app id (`forge` runs there). */
  forgeDevDir: string;
}

export function loadDevSettings(root: string, env: NodeJS.ProcessEnv = process.env): DevSettings {
  return {
    port: number(env, 'PORT', 3000, 0),
    emulatorPort: number(env, 'EMULATOR_PORT', 4000, 0),
    emulatorStateFile: env.EMULATOR_STATE_FILE || join(root, '.data', 'emulator.json'),
    registerTimeoutMs: number(env, 'KEEPSAKE_REGISTER_TIMEOUT_MS', 60_000, 1),
    tunnelTimeoutMs: number(env, 'KEEPSAKE_TUNNEL_TIMEOUT_MS', 30_000, 1),
    forgeTimeoutMs: number(env, 'KEEPSAKE_FORGE_TIMEOUT_MS', 300_000, 1),
    forgeDevDir: env.KEEPSAKE_FORGE_DEV_DIR ? resolve(env.KEEPSAKE_FORGE_DEV_DIR) : join(root, '.data', 'forge-dev'),
  };
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be a whole number of at least ${min}, not ${JSON.stringify(raw)}.`);
  return value;
}
