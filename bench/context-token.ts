// The API's caller check, in the bench's own process before any load: a context token verified
// from scratch (decode, HS256 over the site's secret, the claims) against one the verifier
// remembers from an earlier call of the same iframe, in rounds of 200 ms, medians.
import { encodeSymmetric } from 'atlassian-jwt';
import { ContextTokenVerifier } from '../lib/auth/context-token';
import type { InstallRecords } from '../lib/sites/install-records';
import { median } from './load';
import type { Report } from './report';

const ROUNDS = 5;
const RUN_MS = 200;

export interface ContextTokenFigures {
  verifiedUs: number;
  rememberedUs: number;
  tokenChars: number;
}

export async function contextTokenCheck(): Promise<ContextTokenFigures> {
  const install = { baseUrl: 'https://bench.atlassian.net/wiki', sharedSecret: 'b'.repeat(64) };
  const installs: InstallRecords = { get: async () => install, clientKeyOf: async () => undefined };
  const now = Math.floor(Date.now() / 1000);
  // The claims Confluence puts in a context token, at their usual sizes.
  const token = encodeSymmetric(
    {
      iss: '7c6d5f7e-6a3b-3a5e-9b1f-2f1c4d5e6a7b',
      sub: '712020:5b10ac8d-82e0-5b22-cc7d-4ef5a1b2c3d4',
      iat: now,
      exp: now + 900,
      qsh: 'context-qsh',
      context: { confluence: { content: { id: '65601' }, space: { key: 'ENG' } } },
    },
    install.sharedSecret,
  );
  const authorization = `JWT ${token}`;
  const perCall = async (verifierOf: () => ContextTokenVerifier) => {
    const started = performance.now();
    let runs = 0;
    do {
      await verifierOf().verify(authorization);
      runs++;
    } while (performance.now() - started < RUN_MS);
    return ((performance.now() - started) / runs) * 1000;
  };
  const remembering = new ContextTokenVerifier(installs);
  const verified: number[] = [];
  const remembered: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // A new verifier each call remembers nothing: every call is checked from scratch.
    verified.push(await perCall(() => new ContextTokenVerifier(installs)));
    remembered.push(await perCall(() => remembering));
  }
  return { verifiedUs: median(verified), rememberedUs: median(remembered), tokenChars: token.length };
}

export function printContextTokenCheck(report: Report, figures: ContextTokenFigures): void {
  report.section(`Context-token check of one API call (median of ${ROUNDS} rounds), from scratch against remembered`);
  report.line(
    `a ${figures.tokenChars}-character token: ${figures.verifiedUs.toFixed(1)} µs verified, ${figures.rememberedUs.toFixed(1)} µs remembered`,
  );
}
