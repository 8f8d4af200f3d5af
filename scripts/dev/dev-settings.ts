/**
 * The settings of the development scripts themselves (Keepsake's own are in lib/settings.ts).
 * Ports and the emulator's state file follow `npm run emulator`'s variables.
 */
import { join } from 'node:path';

export interface DevSettings {
  /** Keepsake's port. */
  port: number;
  /** The emulator's port. */
  emulatorPort: number;
  /** Where the emulated site is kept between runs. */
  emulatorStateFile: string;
  /** How long ACE's register() (tunnel, UPM install) may take before the dev script gives up. */
  registerTimeoutMs: number;
}

export function loadDevSettings(root: string, env: NodeJS.ProcessEnv = process.env): DevSettings {
  return {
    port: number(env, 'PORT', 3000, 0),
    emulatorPort: number(env, 'EMULATOR_PORT', 4000, 0),
    emulatorStateFile: env.EMULATOR_STATE_FILE || join(root, '.data', 'emulator.json'),
    registerTimeoutMs: number(env, 'KEEPSAKE_REGISTER_TIMEOUT_MS', 60_000, 1),
  };
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, not ${JSON.stringify(raw)}.`);
  return value;
}
