// A node whose crypto is broken must not start. AES-GCM is broken here by replacing the
// module every importer (the self-test included) gets.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createNode } from './node';
import { silentLogger } from './log/logger';
import { tempDirs } from './testing/temp-dir';
import { IDENTITY_FILE } from './identity/identity';
import type * as Aead from './crypto/aead';

vi.mock('./crypto/aead', async (importOriginal) => {
  const real = await importOriginal<typeof Aead>();
  return {
    ...real,
    aeadSeal: (...args: Parameters<typeof real.aeadSeal>) => {
      const box = real.aeadSeal(...args);
      box[box.length - 1]! ^= 1; // one flipped bit in the tag
      return box;
    },
  };
});

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('start-up self-test', () => {
  it('stops start-up when a primitive is broken, before touching the data folder', async () => {
    const dir = dirs.make();
    const node = createNode({ dataDir: dir, logger: silentLogger });
    await expect(node.start()).rejects.toMatchObject({
      code: 'CRYPTO_SELF_TEST_FAILED',
      message: expect.stringMatching(/AES|aead/i),
    });
    expect(existsSync(join(dir, IDENTITY_FILE))).toBe(false);
    await node.close();
  });
});
