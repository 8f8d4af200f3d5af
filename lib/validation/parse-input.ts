/** Checks input against a schema; what fails becomes INVALID_INPUT naming each field and what it expects. */
import type { z } from 'zod';
import { KeepsakeError } from '../errors';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'The request body'): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : '(body)',
    message:
      issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}` : issue.message,
  }));
  const summary = problems.map((p) => (p.field === '(body)' ? p.message : `${p.field}: ${p.message}`)).join('; ');
  throw new KeepsakeError('INVALID_INPUT', `${what} is not valid: ${summary}.`, { problems });
}
