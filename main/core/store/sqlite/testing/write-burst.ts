/**
 * A child process for kill.int.test.ts: opens the SQLite store at the path given and writes
 * step after step (a batch of messages, one or two control ops, then a delivery record, which
 * is committed without a sync of its own), printing `ack <step>` on standard output only after
 * all three writes have resolved. The test SIGKILLs it at some point and checks that every
 * acknowledged step is in the database.
 *
 * Usage: node --import tsx write-burst.ts <database path>
 */
import { createSqliteStore } from '../sqlite-store';
import { burstStep } from './burst-data';

/** Steps before the writer stops by itself, should the test that runs it be gone. */
const MAX_STEPS = 50_000;

const dbPath = process.argv[2];
if (!dbPath) {
  process.stderr.write('usage: write-burst.ts <database path>\n');
  process.exit(2);
}

const store = createSqliteStore({ path: dbPath });
await store.open();
for (let step = 1; step <= MAX_STEPS; step++) {
  const { messages, ops, delivery } = burstStep(step);
  await store.addMessages(messages);
  await store.addControlOps(ops);
  await store.raiseDeliveries([delivery]);
  // Writes to a pipe are synchronous on Linux, so the line is out before the next write starts.
  process.stdout.write(`ack ${step}\n`);
}
await store.close();
