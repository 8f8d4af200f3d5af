// Appended to all.js: lets apps call AP.request with jQuery-style callbacks
// ({url, success, error}) as Connect documents. Functions cannot cross postMessage (the
// bridge strips them), so they are taken out here and called when the promise settles:
// success(body, 'success', xhr) and error(xhr, statusText, errorThrown).
interface CallbackOptions {
  url?: string;
  success?: (body: unknown, status: string, xhr: unknown) => void;
  error?: (xhr: unknown, status: string, errorThrown: unknown) => void;
  [option: string]: unknown;
}

interface RequestFailure {
  err?: unknown;
  xhr?: unknown;
}

type RequestFn = (urlOrOptions: string | CallbackOptions, options?: CallbackOptions) => Promise<{ body: unknown; xhr: unknown }>;

const ap = (window as unknown as { AP?: { request?: RequestFn } }).AP;
const original = ap?.request;
if (ap && original) {
  ap.request = (urlOrOptions, maybeOptions) => {
    const options: CallbackOptions =
      typeof urlOrOptions === 'string' ? { ...(maybeOptions ?? {}), url: urlOrOptions } : { ...urlOrOptions };
    const { success, error, ...sendable } = options;
    const pending = original.call(ap, sendable);
    if (success || error) {
      pending.then(
        (answer) => success?.(answer.body, 'success', answer.xhr),
        (failure: RequestFailure) => error?.(failure?.xhr, 'error', failure?.err),
      );
    }
    return pending;
  };
}
