/**
 * The MongoDB driver, loaded on first use and not before. A node on SQLite never opens a
 * MongoDB store, so it must not pay for the driver (several MiB of resident memory): this is
 * the one place that loads it, with a dynamic import(). A static `import ... from 'mongodb'` of
 * a value anywhere under main/ would undo that, because the command bundle keeps npm packages
 * external and esbuild hoists their static imports to the top of the bundle, where they run at
 * start-up; type-only imports are erased and cost nothing.
 */
import type * as MongoDriver from 'mongodb';

export type MongoDriverModule = typeof MongoDriver;

let driver: MongoDriverModule | undefined;

/** Loads the driver (once); MongoStore.open calls it before anything else touches the driver. */
export async function loadMongoDriver(): Promise<MongoDriverModule> {
  driver ??= await import('mongodb');
  return driver;
}

/**
 * The driver, for code that runs only once a store is open (document converters, error
 * checks). Throws when nothing has loaded it yet: that is a bug in this folder, not a user's
 * mistake.
 */
export function mongoDriver(): MongoDriverModule {
  if (!driver) throw new Error('The MongoDB driver is used before loadMongoDriver() resolved');
  return driver;
}
