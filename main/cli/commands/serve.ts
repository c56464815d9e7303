/**
 * `parley serve`: runs a headless node until SIGINT or SIGTERM, then closes it cleanly and
 * exits 0. A second signal while closing exits at once with 1.
 */
import { createNode } from '../../core/node';
import { createLogger } from '../../core/log/logger';
import { EXIT_FAILED, EXIT_OK, printJson, type CliIo } from '../cli-io';

export interface ServeOptions {
  dataDir: string;
  name?: string;
  json: boolean;
}

export async function serveCommand(io: CliIo, opts: ServeOptions): Promise<number> {
  const node = createNode({
    dataDir: opts.dataDir,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    logger: createLogger({ write: (line) => io.err(line) }),
  });
  await node.start();

  // Signal handlers go in before the ready line: whoever reads it may signal at once.
  const stopped = new Promise<number>((resolve) => {
    // A daemon lives until it is told to stop, whether or not it has open sockets right now.
    const keepAlive = setInterval(() => {}, 2 ** 30);
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        io.err(`${signal} again: exiting without a clean close.`);
        process.exit(EXIT_FAILED);
      }
      stopping = true;
      io.err(`${signal} received: closing the node…`);
      node.close().then(
        () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          clearInterval(keepAlive);
          if (!opts.json) io.out('Parley node stopped.');
          resolve(EXIT_OK);
        },
        (err: unknown) => {
          io.err(`Closing failed: ${(err as Error).message}`);
          clearInterval(keepAlive);
          resolve(EXIT_FAILED);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  const status = await node.api.invoke('identity.get', {});
  if (!status.ok) throw new Error(status.error.message);
  const me = status.value as { deviceId: string; fingerprint: string; name: string };
  if (opts.json) {
    printJson(io, { event: 'ready', pid: process.pid, dataDir: node.dataDir, ...me });
  } else {
    io.out(
      [
        `Parley node running as "${me.name}"`,
        `Device ID:   ${me.deviceId}`,
        `Fingerprint: ${me.fingerprint}`,
        `Data folder: ${node.dataDir}`,
        'Press Ctrl+C to stop.',
      ].join('\n'),
    );
  }
  return stopped;
}
