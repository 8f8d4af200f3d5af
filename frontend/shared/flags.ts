// Messages to the user as Confluence flags (AP.flag), outside the iframe's small area.

export function flagError(title: string, error: unknown): void {
  const body = error instanceof Error ? error.message : 'Something went wrong. Try again.';
  AP.flag.create({ title, body, type: 'error', close: 'manual' });
}

export function flagNotice(title: string, body: string, type: 'info' | 'success' | 'warning' = 'info'): void {
  AP.flag.create({ title, body, type, close: type === 'warning' ? 'manual' : 'auto' });
}
