/**
 * Opens a batch of envelope bytes of one room: decode each, run every check of
 * verify-envelope.ts on this thread, hand the signatures to a SignatureVerifier (worker
 * threads for a large batch) all at once, then decrypt the ones that verified. The same
 * decisions as `decodeEnvelope` + `openEnvelope` one by one, in the same order of checks.
 *
 * What must stay true:
 * - Nothing is decrypted or parsed before its signature verified.
 * - One result per input, in input order; nothing a peer sends makes it throw.
 */
import { decodeEnvelope, type DecodedEnvelope } from './envelope-codec';
import { reject } from './reject-reasons';
import { checkEnvelope, openVerified, type OpenContext, type OpenResult } from './verify-envelope';
import type { SignatureJob, SignatureVerifier } from './verify-pool';

export async function openEnvelopes(
  envelopes: readonly Uint8Array[],
  ctx: OpenContext,
  verifier: SignatureVerifier,
): Promise<OpenResult[]> {
  const results: OpenResult[] = [];
  const waiting: Array<{ at: number; env: DecodedEnvelope }> = [];
  const jobs: SignatureJob[] = [];
  for (const bytes of envelopes) {
    const decoded = decodeEnvelope(bytes);
    if (!decoded.ok) {
      results.push(decoded);
      continue;
    }
    const checked = checkEnvelope(decoded.envelope, ctx);
    results.push(checked.ok ? reject('bad-signature') : checked);
    if (checked.ok) {
      waiting.push({ at: results.length - 1, env: decoded.envelope });
      jobs.push(checked.signature);
    }
  }
  if (jobs.length === 0) return results;
  const verified = await verifier.verifyAll(jobs);
  waiting.forEach(({ at, env }, i) => {
    // Left as 'bad-signature' unless the check said yes.
    if (verified[i] === true) results[at] = openVerified(env, ctx);
  });
  return results;
}
