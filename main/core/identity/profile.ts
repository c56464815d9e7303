/**
 * The local profile: the display name shown to peers. Kept apart from the key file so that
 * renaming never rewrites the key, and so that `parley id` can read it while a node runs.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { DisplayName, DISPLAY_NAME_MAX_LENGTH } from '../../../shared/api';
import { ParleyError } from '../../../shared/errors';
import { writeFileAtomic } from '../fs/atomic-file';

export const PROFILE_FILE = 'profile.json';

const ProfileFile = z.object({ version: z.literal(1), name: DisplayName }).strict();

export interface Profile {
  name: string;
}

/** A name for a new install before the user picks one: the computer's name. */
export function defaultDisplayName(): string {
  const parsed = DisplayName.safeParse(hostname().slice(0, DISPLAY_NAME_MAX_LENGTH));
  return parsed.success ? parsed.data : 'Parley user';
}

export function readProfile(dataDir: string): Profile | undefined {
  const path = join(dataDir, PROFILE_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ParleyError(
      'STORE_FAILED',
      `Parley could not read ${path}: ${(err as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = ProfileFile.safeParse(json);
  if (!parsed.success) {
    throw new ParleyError(
      'STORE_CORRUPT',
      `The profile file ${path} is damaged. Delete it to pick your display name again.`,
    );
  }
  return { name: parsed.data.name };
}

export function writeProfile(dataDir: string, profile: Profile): Profile {
  const name = DisplayName.parse(profile.name);
  const path = join(dataDir, PROFILE_FILE);
  try {
    writeFileAtomic(path, JSON.stringify({ version: 1, name }, null, 2) + '\n', 0o600);
  } catch (err) {
    throw new ParleyError(
      'DATA_DIR_UNWRITABLE',
      `Parley could not save ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return { name };
}
