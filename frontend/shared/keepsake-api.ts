// Calls Keepsake's API from an iframe with the context token Confluence gives it
// (`Authorization: JWT <AP.context.getToken()>`). A failure becomes an ApiError carrying the
// server's code and sentence, so the UI can show what went wrong.
import type { ApiErrorBody } from './api-types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function callApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = await AP.context.getToken();
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { Authorization: `JWT ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Keepsake could not be reached. Check your connection and try again.');
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = parsed as Partial<ApiErrorBody> | undefined;
    throw new ApiError(
      response.status,
      error?.code ?? 'HTTP_' + response.status,
      error?.message ?? `Keepsake answered ${response.status}.`,
    );
  }
  return parsed as T;
}
