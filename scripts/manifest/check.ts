/**
 * Checking a manifest: against what the generator gives (`npm run manifest -- --check`) and
 * with Atlassian's own validator, @forge/manifest's `validate()` (the full client-side schema
 * and validators that `forge lint` runs before its server-side part; it works offline).
 */
import { validate } from '@forge/manifest';

export interface CheckResult {
  upToDate: boolean;
}

/** `actual` undefined: the file does not exist. */
export function checkManifestText(actual: string | undefined, expected: string): CheckResult {
  return { upToDate: actual === expected };
}

const MAX_LINES_SHOWN = 20;

/** The lines that differ, as a small diff (`-` the file's, `+` the generated), with line numbers. */
export function describeDifference(actual: string | undefined, expected: string): string {
  if (actual === undefined) return 'The file does not exist.';
  const a = actual.split('\n');
  const b = expected.split('\n');
  // Longest common subsequence of lines; the files are a few hundred lines at most.
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      lines.push(`- ${String(i + 1).padStart(4)} | ${a[i]}`);
      i++;
    } else {
      lines.push(`+ ${String(j + 1).padStart(4)} | ${b[j]}`);
      j++;
    }
  }
  if (lines.length === 0) return 'The files differ only in line endings or a final newline.';
  const shown = lines.slice(0, MAX_LINES_SHOWN);
  if (lines.length > shown.length) shown.push(`… and ${lines.length - shown.length} more changed lines`);
  return `(- the file, + what would be generated)\n${shown.join('\n')}`;
}

export interface ValidationMessage {
  level: string;
  message: string;
  line?: number;
}

/** Every message @forge/manifest's full validation gives for the file (errors and warnings). */
export async function forgeManifestMessages(file: string): Promise<{ success: boolean; messages: ValidationMessage[] }> {
  const result = await validate(false, file);
  const messages = (result.errors ?? []).map((e) => ({ level: e.level, message: e.message, line: e.line || undefined }));
  return { success: result.success, messages };
}

/** The file's problems as lines to print; empty when @forge/manifest accepts it without a word. */
export async function validateManifestFile(file: string): Promise<string[]> {
  const { success, messages } = await forgeManifestMessages(file);
  const lines = messages.map((m) => `${m.level}: ${m.message}${m.line ? ` (line ${m.line})` : ''}`);
  if (!success && lines.length === 0) lines.push('error: refused without a message');
  return lines;
}
