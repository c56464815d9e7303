/**
 * `parley serve`: runs a headless node until SIGINT or SIGTERM, then closes it cleanly and
 * exits 0. A second signal while closing exits at once with 1.
 */
import { join } from 'node:path';
import {
  createNode,
  DATABASE_FILE,
  DEFAULT_PEER_PORT,
  defaultMongoDatabase,
  type DiscoveryConfig,
  type StoreConfig,
} from '../../core/node';
import type { RotationPolicy } from '../../core/rooms/room-service';
import { DAY_MS, ROTATE_AFTER_DAYS_MAX, ROTATE_AFTER_MESSAGES_MAX } from '../../../shared/api';
import { redactConnectionString } from '../../core/store/mongodb/connection-string';
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
  'mongodb-uri': { type: 'string' },
  'mongodb-database': { type: 'string' },
  'mongodb-timeout': { type: 'string' },
  'rotate-after-messages': { type: 'string' },
  'rotate-after-days': { type: 'string' },
} as const;

/** The connection string when --mongodb-uri is not given (a flag would show in `ps`). */
export const MONGODB_URI_ENV = 'PARLEY_MONGODB_URI';

export interface ServeOptions {
  dataDir: string;
  name?: string;
  json: boolean;
  peerPort: number;
  discovery: DiscoveryConfig | false;
  /** The web GUI on 127.0.0.1 (`--ui`), or none. */
  ui: { port: number } | false;
  /** SQLite in the data folder unless a MongoDB connection string is given. */
  store: StoreConfig;
  /** The limits given (kept in the node's settings); the others are the kept ones or defaults. */
  rotation: Partial<RotationPolicy>;
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
  'mongodb-uri'?: string;
  'mongodb-database'?: string;
  'mongodb-timeout'?: string;
  'rotate-after-messages'?: string;
  'rotate-after-days'?: string;
};

/** Turns the parsed flags into options, refusing values that make no sense (exit 2). */
export function serveOptionsFrom(
  values: ServeValues,
  defaultDir: string,
  env: NodeJS.ProcessEnv = {},
): ServeOptions {
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
    store: storeFrom(values, env),
    rotation: rotationFrom(values),
  };
}

// The bounds are the settings API's (settings.update), which the core enforces too.
function rotationFrom(values: ServeValues): Partial<RotationPolicy> {
  const messages = integer(
    values['rotate-after-messages'],
    '--rotate-after-messages',
    0,
    ROTATE_AFTER_MESSAGES_MAX,
  );
  const days = integer(
    values['rotate-after-days'],
    '--rotate-after-days',
    0,
    ROTATE_AFTER_DAYS_MAX,
  );
  return {
    ...(messages !== undefined ? { maxMessages: messages } : {}),
    ...(days !== undefined ? { maxAgeMs: days * DAY_MS } : {}),
  };
}

/** MongoDB's rules for a database name (on every platform it runs on). */
const BAD_DATABASE_CHARACTERS = /[/\\. "$*<>:|?\0]/;

function storeFrom(values: ServeValues, env: NodeJS.ProcessEnv): StoreConfig {
  const fromFlag = values['mongodb-uri'];
  const uri = fromFlag ?? (env[MONGODB_URI_ENV] || undefined);
  const database = values['mongodb-database'];
  const timeoutMs = integer(values['mongodb-timeout'], '--mongodb-timeout', 100, 600_000);
  if (uri === undefined) {
    if (database !== undefined || timeoutMs !== undefined) {
      throw new UsageError(
        `--mongodb-database and --mongodb-timeout go with --mongodb-uri (or ${MONGODB_URI_ENV})`,
      );
    }
    return { kind: 'sqlite' };
  }
  // The string itself is never repeated here: it may hold a password.
  if (!/^mongodb(\+srv)?:\/\/./i.test(uri)) {
    throw new UsageError(
      `${fromFlag !== undefined ? '--mongodb-uri' : MONGODB_URI_ENV} takes a MongoDB ` +
        `connection string that starts with mongodb:// or mongodb+srv://`,
    );
  }
  if (
    database !== undefined &&
    (database === '' || Buffer.byteLength(database) >= 64 || BAD_DATABASE_CHARACTERS.test(database))
  ) {
    throw new UsageError(
      `--mongodb-database takes a name shorter than 64 bytes without / \\ . " $ * < > : | ? or spaces, not "${database}"`,
    );
  }
  return {
    kind: 'mongodb',
    uri,
    ...(database !== undefined ? { database } : {}),
    ...(timeoutMs !== undefined ? { startupTimeoutMs: timeoutMs } : {}),
  };
}

/** Where the node keeps its data, for the ready message; never with a password in it. */
function storageLine(store: StoreConfig, dataDir: string, deviceId: string): string {
  if (store.kind === 'sqlite') return `SQLite, ${join(dataDir, DATABASE_FILE)}`;
  const database = store.database ?? defaultMongoDatabase(deviceId);
  return `MongoDB database ${database} on ${redactConnectionString(store.uri)}`;
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
    store: opts.store,
    rotation: opts.rotation,
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
      storage: opts.store.kind,
      ...(opts.store.kind === 'mongodb'
        ? { database: opts.store.database ?? defaultMongoDatabase(me.deviceId) }
        : {}),
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
        `Storage:     ${storageLine(opts.store, node.dataDir, me.deviceId)}`,
        `Peer port:   ${node.peerPort} (TCP)${channel && opts.discovery ? `, discovery on ${channel.group} UDP ${channel.port} via ${opts.discovery.interfaces.join(', ') || 'no interface'}` : ', discovery off'}`,
        ...webUiLines(webUi),
        'Press Ctrl+C to stop.',
      ].join('\n'),
    );
  }
  return stopped;
}
