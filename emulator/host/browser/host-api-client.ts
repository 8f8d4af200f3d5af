// Calls from the host page to the emulator's own endpoints (/_emulator/host/api/…), with the
// signed-in user's session cookie. The custom header makes any cross-origin caller (an app's
// iframe) need a CORS preflight, which the emulator never grants.
export const HOST_API_HEADER = 'X-Emulator-Host';

export async function hostApi<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`/_emulator/host/api${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', [HOST_API_HEADER]: '1' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as T & { message?: string };
  if (!response.ok) throw new Error(answer.message ?? `The emulator answered ${response.status}`);
  return answer;
}
