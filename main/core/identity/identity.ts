/**
 * The node's identity: one ECDSA P-256 key pair and a self-signed certificate for it, created
 * on first start and kept in `<dataDir>/identity.json` (mode 0600; the private key wrapped by
 * the KeyProtector, which is Electron safeStorage in the desktop app).
 *
 * What must stay true: an identity that exists is never silently replaced. A damaged, locked or
 * inconsistent key file stops start-up with an error that names the file and says what to do,
 * because peers know this device by its key and a new key is a new device to them.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ParleyError } from '../../../shared/errors';
import { writeFileAtomic } from '../fs/atomic-file';
import { createKeyAndCertificate, parseCertificate } from './certificate';
import { namesForPublicKey, type DeviceIdentityNames } from './device-id';
import { importPrivateKeyPkcs8, exportPrivateKeyPkcs8 } from '../crypto/keys';
import type { KeyProtector } from './key-protector';

export const IDENTITY_FILE = 'identity.json';

export interface Identity extends DeviceIdentityNames {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo: what the device ID is the hash of. */
  readonly publicKeySpki: Uint8Array;
  readonly certificatePem: string;
}

const IdentityFile = z
  .object({
    format: z.literal('parley-identity'),
    version: z.literal(1),
    protection: z.enum(['none', 'safeStorage']),
    /** PKCS#8 DER of the private key, wrapped by `protection`, base64. */
    privateKey: z.string().min(1),
    certificate: z.string().min(1),
    createdAt: z.number(),
  })
  .strict();
type IdentityFile = z.infer<typeof IdentityFile>;

/** Loads the identity in `dataDir`, creating it if the folder has none yet. */
export async function loadOrCreateIdentity(
  dataDir: string,
  protector: KeyProtector,
): Promise<Identity> {
  const path = join(dataDir, IDENTITY_FILE);
  const raw = readIdentityFile(path);
  if (raw === undefined) return createIdentity(path, protector);
  const identity = decodeIdentity(path, raw, protector);
  // A key saved unwrapped (headless) and now opened by the desktop app gets wrapped.
  if (raw.protection === 'none' && protector.kind !== 'none')
    saveIdentity(path, identity, protector);
  return identity;
}

/** Reads the identity without creating one; undefined when the folder has none. */
export function readIdentity(dataDir: string, protector: KeyProtector): Identity | undefined {
  const path = join(dataDir, IDENTITY_FILE);
  const raw = readIdentityFile(path);
  return raw === undefined ? undefined : decodeIdentity(path, raw, protector);
}

/**
 * The public half only, read from the certificate: what `parley id` prints. Needs no key
 * unwrapping, so it works on a desktop data folder and while a node runs.
 */
export function readPublicIdentity(dataDir: string): DeviceIdentityNames | undefined {
  const path = join(dataDir, IDENTITY_FILE);
  const raw = readIdentityFile(path);
  if (raw === undefined) return undefined;
  try {
    const spki = parseCertificate(raw.certificate).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    return namesForPublicKey(new Uint8Array(spki));
  } catch (err) {
    throw corrupt(path, `its certificate is invalid: ${(err as Error).message}`, err);
  }
}

async function createIdentity(path: string, protector: KeyProtector): Promise<Identity> {
  const { privateKey, certificatePem } = await createKeyAndCertificate('parley device');
  const identity = buildIdentity(privateKey, certificatePem);
  saveIdentity(path, identity, protector);
  return identity;
}

function buildIdentity(privateKey: KeyObject, certificatePem: string): Identity {
  const publicKey = createPublicKey(privateKey);
  const publicKeySpki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  return {
    ...namesForPublicKey(publicKeySpki),
    privateKey,
    publicKey,
    publicKeySpki,
    certificatePem,
  };
}

function saveIdentity(path: string, identity: Identity, protector: KeyProtector): void {
  const file: IdentityFile = {
    format: 'parley-identity',
    version: 1,
    protection: protector.kind,
    privateKey: Buffer.from(protector.protect(exportPrivateKeyPkcs8(identity.privateKey))).toString(
      'base64',
    ),
    certificate: identity.certificatePem,
    createdAt: Date.now(),
  };
  try {
    writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n', 0o600);
  } catch (err) {
    throw new ParleyError(
      'DATA_DIR_UNWRITABLE',
      `Parley could not save its identity key to ${path} (${(err as Error).message}). Check that the folder exists and can be written.`,
      { cause: err },
    );
  }
}

function readIdentityFile(path: string): IdentityFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw corrupt(path, `it cannot be read: ${(err as Error).message}`, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw corrupt(path, 'it is not valid JSON (truncated or overwritten?)', err);
  }
  const parsed = IdentityFile.safeParse(json);
  if (!parsed.success) throw corrupt(path, 'it does not have the expected fields');
  return parsed.data;
}

function decodeIdentity(path: string, file: IdentityFile, protector: KeyProtector): Identity {
  if (file.protection === 'safeStorage' && protector.kind !== 'safeStorage') {
    throw new ParleyError(
      'IDENTITY_LOCKED',
      `The identity key in ${path} is locked with the desktop keychain of the user who created it. Open this data folder with the Parley desktop app, or use another --data-dir for the headless node.`,
    );
  }
  let pkcs8: Uint8Array;
  try {
    const wrapped = Buffer.from(file.privateKey, 'base64');
    pkcs8 = file.protection === 'none' ? wrapped : protector.unprotect(wrapped);
  } catch (err) {
    throw new ParleyError(
      'IDENTITY_LOCKED',
      `The identity key in ${path} could not be unlocked with this computer's keychain (was the folder copied from another user or computer?). Restore the original keychain, or move the file aside to start as a new device.`,
      { cause: err },
    );
  }
  let privateKey: KeyObject;
  let certificatePem: string;
  try {
    privateKey = importPrivateKeyPkcs8(pkcs8);
    certificatePem = file.certificate;
    const cert = parseCertificate(certificatePem);
    const certSpki = cert.publicKey.export({ format: 'der', type: 'spki' });
    const keySpki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    if (!certSpki.equals(keySpki)) throw new Error('the certificate does not belong to the key');
  } catch (err) {
    throw corrupt(path, `its key or certificate is invalid: ${(err as Error).message}`, err);
  }
  return buildIdentity(privateKey, certificatePem);
}

function corrupt(path: string, why: string, cause?: unknown): ParleyError {
  return new ParleyError(
    'IDENTITY_CORRUPT',
    `The identity key file ${path} is damaged: ${why}. Parley will not create a new identity over it, because your peers know this device by its key. Restore the file from a backup, or move it aside to start as a new device.`,
    { cause },
  );
}
