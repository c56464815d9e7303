/**
 * `parley id`: prints the device ID, fingerprint and display name. Creates the identity when
 * the data folder is new (under the folder's lock, so it never races a starting node); reads
 * only the certificate otherwise, so it works while a node runs.
 */
import { ensureDataDir, lockDataDir } from '../../core/fs/data-dir';
import { loadOrCreateIdentity, readPublicIdentity } from '../../core/identity/identity';
import { plainKeyProtector } from '../../core/identity/key-protector';
import { defaultDisplayName, readProfile, writeProfile } from '../../core/identity/profile';
import { printJson, type CliIo } from '../cli-io';

export async function idCommand(
  io: CliIo,
  opts: { dataDir: string; json: boolean },
): Promise<number> {
  const dir = ensureDataDir(opts.dataDir);
  let names = readPublicIdentity(dir);
  let name = readProfile(dir)?.name;
  if (!names || name === undefined) {
    const lock = lockDataDir(dir);
    try {
      names = await loadOrCreateIdentity(dir, plainKeyProtector);
      name = readProfile(dir)?.name ?? writeProfile(dir, { name: defaultDisplayName() }).name;
    } finally {
      lock.release();
    }
  }
  if (opts.json) {
    printJson(io, { deviceId: names.deviceId, fingerprint: names.fingerprint, name });
  } else {
    io.out(
      `Name:        ${name}\nDevice ID:   ${names.deviceId}\nFingerprint: ${names.fingerprint}`,
    );
  }
  return 0;
}
