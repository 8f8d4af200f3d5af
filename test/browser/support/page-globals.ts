// Code given to page.evaluate() runs in the browser but is type-checked with the Node program,
// which has no DOM library. Inside such code, `globalThis as unknown as PageGlobals` gives the
// few browser globals the tests use, typed (the cast is erased; nothing is imported at run time).

export interface PageGlobals {
  localStorage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    length: number;
    key(i: number): string | null;
  };
  document: { cookie: string; querySelector(selector: string): { getBoundingClientRect(): { height: number } } | null };
  AP: {
    request(options: {
      url: string;
      type?: string;
      data?: string;
      contentType?: string;
    }): Promise<{ body: string; xhr: { status: number } }>;
  };
}
