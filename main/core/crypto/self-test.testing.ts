/**
 * Test helper (not shipped code): runs the self-test expecting it to fail, and returns the
 * ParleyError so a test can check which primitive it named.
 */
import { expect } from 'vitest';
import { ParleyError } from '../../../shared/errors';
import { runCryptoSelfTests } from './self-test';

export function selfTestFailure(): ParleyError {
  let caught: unknown;
  try {
    runCryptoSelfTests();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ParleyError);
  const error = caught as ParleyError;
  expect(error.code).toBe('CRYPTO_SELF_TEST_FAILED');
  expect(error.message).toMatch(/^Cryptography self-test failed: .+\. Parley will not start;/);
  return error;
}
