// Request bodies reach the REST routes as text (see server.ts) so that each route decides
// what a valid body is and says exactly what was wrong.
import type { Request } from 'express';
import { HttpError } from '../errors';

/** The raw body text; '' when there is none. */
export function bodyText(req: Request): string {
  return typeof req.body === 'string' ? req.body : '';
}

/** The body parsed as JSON; a 400 naming the problem when it is empty or not JSON. */
export function parseJsonBody(req: Request): unknown {
  const text = bodyText(req);
  if (text.trim() === '') throw new HttpError(400, 'The request body is empty; a JSON body is required');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, `The request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function isJsonObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
