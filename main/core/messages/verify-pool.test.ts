import { describe, expect, it } from 'vitest';
import { generateEcKeyPair, labelledMessage, randomBytes, sign } from '../crypto';
import { createVerifyPool, verifyOnThisThread, type SignatureJob } from './verify-pool';

const LABEL = 'parley/v1/sign/envelope';
const signer = generateEcKeyPair();
const other = generateEcKeyPair();

/** A valid job, or one whose signature is for other data or by another key. */
function job(i: number, kind: 'valid' | 'other-data' | 'other-key' = 'valid'): SignatureJob {
  const data = randomBytes(100 + i);
  const signature = sign(kind === 'other-key' ? other.privateKey : signer.privateKey, LABEL, data);
  const signed = kind === 'other-data' ? randomBytes(100 + i) : data;
  return {
    publicKey: signer.publicKey,
    message: labelledMessage(LABEL, signed, signature)!,
    signature,
  };
}

const mixed = (n: number): SignatureJob[] =>
  Array.from({ length: n }, (_, i) =>
    job(i, i % 7 === 3 ? 'other-data' : i % 11 === 5 ? 'other-key' : 'valid'),
  );

describe('verify pool', () => {
  it('answers every job as a check on this thread would, in order', async () => {
    const pool = createVerifyPool({ size: 2, minParallelJobs: 4 });
    try {
      const jobs = mixed(200);
      const expected = jobs.map(verifyOnThisThread);
      expect(expected.filter((ok) => !ok).length).toBeGreaterThan(20);
      expect(await pool.verifyAll(jobs)).toEqual(expected);
      // Several batches at once, past the in-flight bound, come back right too.
      const many = await Promise.all(Array.from({ length: 12 }, () => pool.verifyAll(jobs)));
      for (const answer of many) expect(answer).toEqual(expected);
    } finally {
      await pool.close();
    }
  });

  it('still answers after close (on this thread), and close is safe twice', async () => {
    const pool = createVerifyPool({ size: 1, minParallelJobs: 1 });
    const jobs = mixed(30);
    const running = pool.verifyAll(jobs);
    await pool.close();
    await pool.close();
    const expected = jobs.map(verifyOnThisThread);
    expect(await running).toEqual(expected);
    expect(await pool.verifyAll(jobs)).toEqual(expected);
  });

  it('refuses a signature that does not match, whatever the thread', async () => {
    const pool = createVerifyPool({ size: 1, minParallelJobs: 1 });
    try {
      const bad = [job(1, 'other-data'), job(2, 'other-key')];
      expect(await pool.verifyAll(bad)).toEqual([false, false]);
    } finally {
      await pool.close();
    }
  });
});
