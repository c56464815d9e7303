import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IDENTITY_FILE, loadOrCreateIdentity, readIdentity, readPublicIdentity } from './identity';
import { plainKeyProtector, type KeyProtector } from './key-protector';
import { tempDirs } from '../testing/temp-dir';
import { sign, verify } from '../crypto/signature';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** A stand-in for safeStorage: reversible, and visibly not the plain key. */
const fakeKeychain: KeyProtector = {
  kind: 'safeStorage',
  protect: (s) => Uint8Array.from(s, (b) => b ^ 0x5a),
  unprotect: (b) => Uint8Array.from(b, (x) => x ^ 0x5a),
};

describe('identity', () => {
  it('keeps the same device ID across restarts', async () => {
    const dir = dirs.make();
    const first = await loadOrCreateIdentity(dir, plainKeyProtector);
    const again = await loadOrCreateIdentity(dir, plainKeyProtector);
    expect(again.deviceId).toBe(first.deviceId);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(readPublicIdentity(dir)?.deviceId).toBe(first.deviceId);
  });

  it('gives two data folders two device IDs', async () => {
    const a = await loadOrCreateIdentity(dirs.make(), plainKeyProtector);
    const b = await loadOrCreateIdentity(dirs.make(), plainKeyProtector);
    expect(a.deviceId).not.toBe(b.deviceId);
  });

  it('stores the key file with mode 0600 and a working P-256 key', async () => {
    const dir = dirs.make();
    const id = await loadOrCreateIdentity(dir, plainKeyProtector);
    expect(statSync(join(dir, IDENTITY_FILE)).mode & 0o777).toBe(0o600);
    expect(id.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const sig = sign(id.privateKey, 'parley/v1/sign/self-test', new Uint8Array([1]));
    expect(verify(id.publicKey, 'parley/v1/sign/self-test', new Uint8Array([1]), sig)).toBe(true);
  });

  it('never replaces a damaged key file with a new identity', async () => {
    const dir = dirs.make();
    await loadOrCreateIdentity(dir, plainKeyProtector);
    const path = join(dir, IDENTITY_FILE);
    const original = readFileSync(path, 'utf8');
    const damaged = original.slice(0, original.length / 2);
    writeFileSync(path, damaged);
    await expect(loadOrCreateIdentity(dir, plainKeyProtector)).rejects.toMatchObject({
      code: 'IDENTITY_CORRUPT',
      message: expect.stringContaining(path),
    });
    expect(readFileSync(path, 'utf8')).toBe(damaged);
  });

  it('rejects a key file whose certificate belongs to another key', async () => {
    const a = dirs.make();
    const b = dirs.make();
    await loadOrCreateIdentity(a, plainKeyProtector);
    await loadOrCreateIdentity(b, plainKeyProtector);
    const fileA = JSON.parse(readFileSync(join(a, IDENTITY_FILE), 'utf8'));
    const fileB = JSON.parse(readFileSync(join(b, IDENTITY_FILE), 'utf8'));
    writeFileSync(
      join(a, IDENTITY_FILE),
      JSON.stringify({ ...fileA, certificate: fileB.certificate }),
    );
    await expect(loadOrCreateIdentity(a, plainKeyProtector)).rejects.toMatchObject({
      code: 'IDENTITY_CORRUPT',
    });
  });

  it('rejects a key file with garbage in the key field', async () => {
    const dir = dirs.make();
    await loadOrCreateIdentity(dir, plainKeyProtector);
    const file = JSON.parse(readFileSync(join(dir, IDENTITY_FILE), 'utf8'));
    writeFileSync(join(dir, IDENTITY_FILE), JSON.stringify({ ...file, privateKey: 'AAAA' }));
    await expect(loadOrCreateIdentity(dir, plainKeyProtector)).rejects.toMatchObject({
      code: 'IDENTITY_CORRUPT',
    });
  });

  it('wraps the key with the keychain and reads it back', async () => {
    const dir = dirs.make();
    const id = await loadOrCreateIdentity(dir, fakeKeychain);
    const file = JSON.parse(readFileSync(join(dir, IDENTITY_FILE), 'utf8'));
    expect(file.protection).toBe('safeStorage');
    expect((await loadOrCreateIdentity(dir, fakeKeychain)).deviceId).toBe(id.deviceId);
  });

  it('refuses a keychain-wrapped key without the keychain, naming the file', async () => {
    const dir = dirs.make();
    await loadOrCreateIdentity(dir, fakeKeychain);
    expect(() => readIdentity(dir, plainKeyProtector)).toThrow(
      expect.objectContaining({ code: 'IDENTITY_LOCKED', message: expect.stringContaining(dir) }),
    );
    // The public half needs no keychain.
    expect(readPublicIdentity(dir)?.deviceId).toMatch(/-/);
  });

  it('reports a keychain that cannot unwrap the key as locked, not as a new identity', async () => {
    const dir = dirs.make();
    await loadOrCreateIdentity(dir, fakeKeychain);
    const broken: KeyProtector = {
      ...fakeKeychain,
      unprotect: () => {
        throw new Error('no keyring');
      },
    };
    await expect(loadOrCreateIdentity(dir, broken)).rejects.toMatchObject({
      code: 'IDENTITY_LOCKED',
    });
  });

  it('wraps a plain key file when the desktop app first opens it', async () => {
    const dir = dirs.make();
    const id = await loadOrCreateIdentity(dir, plainKeyProtector);
    await loadOrCreateIdentity(dir, fakeKeychain);
    const file = JSON.parse(readFileSync(join(dir, IDENTITY_FILE), 'utf8'));
    expect(file.protection).toBe('safeStorage');
    expect(readIdentity(dir, fakeKeychain)?.deviceId).toBe(id.deviceId);
  });
});
