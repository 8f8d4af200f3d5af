// AP.context: getToken() answers a fresh context JWT for the signed-in user and this app
// (minted by the emulator, docs/emulator.md); getContext() answers what the page shows, which
// the host passed to connectHost.create() as options.productContext.
import type { ModuleCallback, ModuleMethod } from './connect-host-types';
import { hostApi } from './host-api-client';

function productContext(callback: ModuleCallback): Record<string, unknown> {
  return (callback._context.extension.options?.productContext as Record<string, unknown> | undefined) ?? {};
}

export const contextModule: Record<string, ModuleMethod> = {
  async getToken(callback: ModuleCallback): Promise<string> {
    const { token } = await hostApi<{ token: string }>('/context-token', {
      appKey: callback._context.extension.addon_key,
      context: productContext(callback),
    });
    return token;
  },
  async getContext(callback: ModuleCallback): Promise<Record<string, unknown>> {
    return productContext(callback);
  },
};
contextModule.getToken.returnsPromise = true;
contextModule.getContext.returnsPromise = true;
