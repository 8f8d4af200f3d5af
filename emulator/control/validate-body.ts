// Control API bodies are checked with zod; the 400 names the field and what was expected.
import type { Request } from 'express';
import type { z } from 'zod';
import { HttpError } from '../errors';

export function validBody<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const result = schema.safeParse(req.body ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`);
  throw new HttpError(400, `Invalid request body: ${problems.join('; ')}`);
}
