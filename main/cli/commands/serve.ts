/**
 * `parley serve`: runs a headless node until SIGINT or SIGTERM, then closes it cleanly and
 * exits 0. A second signal while closing exits at once with 1.
 */
import { createNode, DEFAULT_PEER_PORT, type DiscoveryConfig } from '../../core/node';
import { createLogger } from '../../core/log/logger';
import { defaultInterfaces } from '../../core/discovery';
import { EXIT_FAILED, EXIT_OK, printJson, UsageError, type CliIo } from '../cli-io';
import { DEFAULT_WEB_UI_PORT, startServeUi, webUiLines } from './serve-ui';

export const SERVE_OPTIONS = {
  name: { type: 'string' },
  port: { type: 'string' },
  'discovery-interface': { type: 'string', multiple: true },
  'discovery-group': { type: 'string' },
  'discovery-port': { type: 'string' },
  'announce-interval': { type: 'string' },
  'no-discovery': { type: 'boolean', default: false },
  ui: { type: 'boolean', default: false },
  'ui-port': { type: 'string' },
} as const;

export interface ServeOptions {
  dataDir: string;
  name?: string;
  json: boolean;
  peerPort: number;
  discovery: DiscoveryConfig | false;
  /** The web GUI on 127.0.0.1 (`--ui`), or none. */
  ui: { port: number } | false;
}

type ServeValues = {
  'data-dir'?: string;
  json: boolean;
  name?: string;
  port?: string;
  'discovery-interface'?: string[];
  'discovery-group'?: string;
  'discovery-port'?: string;
  'announce-interval'?: string;
  'no-discovery': boolean;
  ui: boolean;
  'ui-port'?: string;
};

/** Turns the parsed flags into options, refusing values that make no sense (exit 2). */
export function serveOptionsFrom(values: ServeValues, defaultDir: string): ServeOptions {
  const interfaces = values['discovery-interface'];
  for (const address of interfaces ?? []) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) {
      throw new UsageError(
        `--discovery-interface takes an IPv4 address of this computer, not "${address}"`,
      );
    }
  }
  const group = values['discovery-group'];
  if (group !== undefined && !/^239\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(group)) {
    throw new UsageError(
      `--discovery-group takes an administratively scoped group 239.x.y.z, not "${group}"`,
    );
  }
  const discoveryPort = integer(values['discovery-port'], '--discovery-port', 1, 65535);
  const announceIntervalMs = integer(
    values['announce-interval'],
    '--announce-interval',
    100,
    3_600_000,
  );
  if (values['ui-port'] !== undefined && !values.ui) {
    throw new UsageError('--ui-port goes with --ui');
  }
  const uiPort = integer(values['ui-port'], '--ui-port', 0, 65535) ?? DEFAULT_WEB_UI_PORT;
  return {
    dataDir: values['data-dir'] ?? defaultDir,
    json: values.json,
    ...(values.name !== undefined ? { name: values.name } : {}),
    peerPort: integer(values.port, '--port', 0, 65535) ?? DEFAULT_PEER_PORT,
    discovery: values['no-discovery']
      ? false
      : {
          interfaces: interfaces ?? defaultInterfaces(),
          ...(group !== undefined ? { group } : {}),
          ...(discoveryPort !== undefined ? { port: discoveryPort } : {}),
          ...(announceIntervalMs !== undefined ? { announceIntervalMs } : {}),
        },
    ui: values.ui ? { port: uiPort } : false,
  };
}

function integer(
  text: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

export async function serveCommand(io: CliIo, opts: ServeOptions): Promise<number> {
  const logger = createLogger({ write: (line) => io.err(line) });
  const node = createNode({
    dataDir: opts.dataDir,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    peer: { port: opts.peerPort },
    discovery: opts.discovery,
    logger,
  });
  await node.start();
  const webUi = await startServeUi(node, opts.ui, logger);
  const closeAll = async (): Promise<void> => {
    await webUi?.close();
    await node.close();
  };

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
      closeAll().then(
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

  // Flags win; without them the node uses the stored settings (parley settings set).
  const channel = node.discoveryChannel;
  const status = await node.api.invoke('identity.get', {});
  if (!status.ok) throw new Error(status.error.message);
  const me = status.value as { deviceId: string; fingerprint: string; name: string };
  if (opts.json) {
    printJson(io, {
      event: 'ready',
      pid: process.pid,
      dataDir: node.dataDir,
      peerPort: node.peerPort,
      apiPort: node.localApi?.port ?? null,
      ...(webUi ? { uiUrl: webUi.url } : {}),
      ...me,
    });
  } else {
    io.out(
      [
        `Parley node running as "${me.name}"`,
        `Device ID:   ${me.deviceId}`,
        `Fingerprint: ${me.fingerprint}`,
        `Data folder: ${node.dataDir}`,
        `Peer port:   ${node.peerPort} (TCP)${channel && opts.discovery ? `, discovery on ${channel.group} UDP ${channel.port} via ${opts.discovery.interfaces.join(', ') || 'no interface'}` : ', discovery off'}`,
        ...webUiLines(webUi),
        'Press Ctrl+C to stop.',
      ].join('\n'),
    );
  }
  return stopped;
}
