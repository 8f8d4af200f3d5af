// Waiting for something another process does a moment later (a change-feed message, a late
// write landing): poll until it holds, a bounded number of times. Tests wait for events, never
// for a time, and fail saying what never happened.
import assert from 'node:assert/strict';

export async function eventually(what: string, check: () => Promise<boolean>, { tries = 200, pauseMs = 25 } = {}): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  assert.fail(`gave up waiting until ${what}`);
}
