/**
 * Opens a batch of envelope bytes of one room: decode each, run every check of
 * verify-envelope.ts on this thread, check the signatures the batch needs (worker threads for
 * a large batch), then decrypt the ones that are authentic. The same decisions as
 * `decodeEnvelope` + `openEnvelope` one by one, in the same order of checks, except that an
 * envelope may be authenticated by the hash chain instead of its own signature.
 *
 * The hash chain (docs/PROTOCOL.md §9): each header names the ID of its sender's previous
 * message (`prev`). When envelope B of this batch passed every check, its sender is B's
 * sender, its seq is one more and its `prev` is A's ID (SHA-256 of A's bytes), then B's
 * signature covers A's exact bytes too. So a batch needs one signature per run of a sender's
 * consecutive messages (the run's last), not one per message: a catch-up from one sender
 * costs one check per batch.
 *
 * What must stay true:
 * - Nothing is decrypted or parsed before it is authentic: its own signature verified, or a
 *   later authentic envelope of the same sender, which passed every other check, links to it.
 * - Every envelope passes every other check (room, clock, epoch, the sender rule with its seq,
 *   key, signature form) whether or not its signature is the one checked.
 * - An envelope whose chain does not end in a good signature is checked on its own, so a
 *   forged or broken link costs the forger, never an honest envelope.
 * - One result per input, in input order; nothing a peer sends makes it throw.
 */
import { decodeEnvelope, prevIdOf, type DecodedEnvelope } from './envelope-codec';
import { reject } from './reject-reasons';
import { checkEnvelope, openVerified, type OpenContext, type OpenResult } from './verify-envelope';
import type { SignatureJob, SignatureVerifier } from './verify-pool';

/** An envelope that passed every check but its signature, with its place in the batch. */
interface Candidate {
  at: number;
  env: DecodedEnvelope;
  signature: SignatureJob;
  /** Later candidates of the same sender whose `prev` is this one's ID. */
  vouchers: Candidate[];
  /** undefined: not checked; else what its own signature check said. */
  verified?: boolean;
  authentic: boolean;
}

export async function openEnvelopes(
  envelopes: readonly Uint8Array[],
  ctx: OpenContext,
  verifier: SignatureVerifier,
): Promise<OpenResult[]> {
  const results: OpenResult[] = [];
  const candidates: Candidate[] = [];
  for (const bytes of envelopes) {
    const decoded = decodeEnvelope(bytes);
    if (!decoded.ok) {
      results.push(decoded);
      continue;
    }
    const checked = checkEnvelope(decoded.envelope, ctx);
    // Left as 'bad-signature' unless it turns out authentic.
    results.push(checked.ok ? reject('bad-signature') : checked);
    if (checked.ok) {
      candidates.push({
        at: results.length - 1,
        env: decoded.envelope,
        signature: checked.signature,
        vouchers: [],
        authentic: false,
      });
    }
  }
  if (candidates.length === 0) return results;

  linkChains(candidates);
  // First the heads (nothing in the batch vouches for them); then, only if some chain's head
  // failed, every envelope it left unauthenticated, each on its own.
  await verifyEach(
    candidates.filter((c) => c.vouchers.length === 0),
    verifier,
  );
  settleAuthenticity(candidates);
  const orphans = candidates.filter((c) => !c.authentic && c.verified === undefined);
  if (orphans.length > 0) {
    await verifyEach(orphans, verifier);
    settleAuthenticity(candidates);
  }

  for (const c of candidates) if (c.authentic) results[c.at] = openVerified(c.env, ctx);
  return results;
}

/** Records, for each candidate, the later candidates whose `prev` names it. */
function linkChains(candidates: readonly Candidate[]): void {
  const byId = new Map<string, Candidate>();
  for (const c of candidates) byId.set(c.env.id, c);
  for (const c of candidates) {
    const prevId = prevIdOf(c.env.header);
    if (prevId === undefined) continue;
    const earlier = byId.get(prevId);
    // A signature vouches only for its own signer's messages: the sender must be the same,
    // and the seq one less, or the link is ignored (and both are checked on their own).
    if (
      earlier !== undefined &&
      earlier.env.header.sender === c.env.header.sender &&
      earlier.env.header.seq + 1 === c.env.header.seq
    ) {
      earlier.vouchers.push(c);
    }
  }
}

async function verifyEach(
  candidates: readonly Candidate[],
  verifier: SignatureVerifier,
): Promise<void> {
  if (candidates.length === 0) return;
  const verified = await verifier.verifyAll(candidates.map((c) => c.signature));
  candidates.forEach((c, i) => {
    c.verified = verified[i] === true;
  });
}

/**
 * Authentic = its own signature verified, or a voucher is authentic. Vouchers have a higher
 * seq of the same sender, so going from the highest seq down settles each one after its
 * vouchers.
 */
function settleAuthenticity(candidates: readonly Candidate[]): void {
  const bySeqDown = [...candidates].sort((a, b) => b.env.header.seq - a.env.header.seq);
  for (const c of bySeqDown) {
    c.authentic = c.verified === true || c.vouchers.some((v) => v.authentic);
  }
}
