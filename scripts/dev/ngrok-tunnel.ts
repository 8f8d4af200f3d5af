/**
 * The public https address of the Connect-on-Forge dev loop: an ngrok tunnel to Keepsake's port,
 * opened with @ngrok/ngrok directly (the same package and options ACE's `register()` uses for
 * `--connect`, but without ACE: its register() never settles when it has no host to register
 * with). The tunnel lives in the dev script, so Keepsake's restarts keep its URL, and with it
 * the deployed manifest's remote.
 */
import type { NgrokOptions } from './credentials';

/** The tunnel did not open; the message says what to check. */
export class TunnelError extends Error {}

export interface Tunnel {
  /** https://….ngrok-free.app (no trailing slash) */
  url: string;
  close(): Promise<void>;
}

/** The part of @ngrok/ngrok used here (an optional dependency, so not imported for its types). */
interface NgrokModule {
  forward(options: Record<string, unknown>): Promise<{ url(): string | null; close(): Promise<void> }>;
  disconnect(url?: string): Promise<void>;
}

const PACKAGE = '@ngrok/ngrok';

export function ngrokIsInstalled(): boolean {
  try {
    require.resolve(PACKAGE);
    return true;
  } catch {
    return false;
  }
}

export const INSTALL_NGROK =
  'The optional package @ngrok/ngrok is not installed (npm install --omit=optional leaves it out): run `npm install @ngrok/ngrok`.';

export async function openNgrokTunnel(port: number, options: NgrokOptions, timeoutMs: number): Promise<Tunnel> {
  let ngrok: NgrokModule;
  try {
    const loaded = (await import(PACKAGE)) as NgrokModule & { default?: NgrokModule };
    ngrok = loaded.default ?? loaded;
  } catch {
    throw new TunnelError(INSTALL_NGROK);
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TunnelError(
            `The ngrok tunnel did not open within ${timeoutMs / 1000} s (KEEPSAKE_TUNNEL_TIMEOUT_MS sets the limit): check your connection.`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const listener = await Promise.race([ngrok.forward({ proto: 'http', addr: port, ...options }), timedOut]);
    const url = listener.url();
    if (!url) throw new Error('ngrok gave no URL');
    return {
      url: url.replace(/\/+$/, ''),
      close: async () => {
        await listener.close().catch(() => undefined);
        await ngrok.disconnect().catch(() => undefined);
      },
    };
  } catch (error) {
    if (error instanceof TunnelError) throw error;
    throw new TunnelError(
      `Could not open the ngrok tunnel: ${(error as Error).message ?? String(error)}. Check "ngrok": {"authtoken": …} in credentials.json ` +
        '(https://dashboard.ngrok.com/get-started/your-authtoken) and your connection.',
    );
  } finally {
    clearTimeout(timer);
  }
}
