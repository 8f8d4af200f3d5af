// The part of atlassian-connect-js's host API (dist/connect-host.js, global `connectHost`) the
// emulator uses. The package ships no types for the host side.

/** The last argument of every host module method: answers the iframe; `_context` says which one. */
export interface ModuleCallback {
  (...args: unknown[]): void;
  _context: { extension_id: string; extension: { addon_key: string; key: string; id: string; options?: Record<string, unknown> } };
  _id?: string;
}

export type ModuleMethod = ((...args: never[]) => unknown) & { returnsPromise?: boolean };

export interface JQueryDeferredLike {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  promise(): unknown;
}

export interface FlagProvider {
  create(options: {
    id: string;
    title?: string;
    body?: string;
    type: string;
    close?: string;
    onClose: (id: string) => void;
    actions: unknown[];
  }): { close(): void };
}

export interface ConnectHost {
  create(extension: {
    addon_key: string;
    key: string;
    url: string;
    options?: Record<string, unknown>;
  }): HTMLElement | ArrayLike<HTMLElement>;
  defineModule(name: string, methods: Record<string, ModuleMethod>): void;
  defineModule(methods: Record<string, ModuleMethod>): void;
  registerContentResolver: {
    resolveByExtension(resolver: (extension: { addon_key: string; key: string; options?: Record<string, unknown> }) => unknown): void;
  };
  frameworkAdaptor: {
    registerModule(module: { getModuleRegistrationName(): string; isEnabled(): boolean; getProvider(): unknown }): void;
  };
}

declare global {
  interface Window {
    connectHost: ConnectHost;
    jQuery: { Deferred(): JQueryDeferredLike };
  }
}
