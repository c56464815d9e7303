/**
 * Parley on the hosts of a test LAN (core/testing/netns.ts): `parley serve` inside a host's
 * namespace with discovery pinned to that host's own address, the `parley` command run in the
 * same namespace, and the node's local API reached from inside it. A namespace has its own
 * 127.0.0.1, so the test process cannot call the API itself: each call runs a tiny Node script
 * in the namespace, which reads the port and token from the data folder (§7) like the CLI does.
 */
import type { ChildProcess } from 'node:child_process';
import type { CommandArgs, CommandName, CommandResult } from '../../../shared/api';
import { isErrorCode, ParleyError, type Result } from '../../../shared/errors';
import { API_ENDPOINT_FILE, API_PREFIX, API_TOKEN_FILE } from '../../core/api/local-api-server';
import type { LanHost, TestLan } from '../../core/testing/netns';
import type { LocalApiClient } from '../local-api-client';
import { PARLEY_BIN, watchCli, type CliResult } from './run-cli';

export interface LanNode {
  host: LanHost;
  name: string;
  dataDir: string;
  deviceId: string;
  child: ChildProcess;
  /** Resolves when `parley serve` exits, with everything it printed. */
  exited: Promise<CliResult>;
  /** The node's local API, called from inside its namespace. */
  api: LocalApiClient;
}

const CLI_ENV = { ...process.env, PARLEY_LOG_LEVEL: 'warn' };

/** What a node on a LAN host is started with. */
export interface LanServeOptions {
  name: string;
  dataDir: string;
  announceIntervalMs: number;
}

/**
 * The argv (after `node`) of `parley serve --json` on a LAN host: any free peer port, and
 * discovery pinned to the namespace's own address, so nothing reaches the machine's real network.
 */
export function serveArgsOnLan(host: LanHost, opts: LanServeOptions): string[] {
  return [
    PARLEY_BIN,
    'serve',
    '--json',
    '--data-dir',
    opts.dataDir,
    '--name',
    opts.name,
    '--port',
    '0',
    '--discovery-interface',
    host.address,
    '--announce-interval',
    String(opts.announceIntervalMs),
  ];
}

/** Starts `parley serve` on a host, discovering only on the host's own address. */
export async function serveOnLan(
  lan: TestLan,
  host: LanHost,
  opts: LanServeOptions,
): Promise<LanNode> {
  const child = lan.spawnIn(host, process.execPath, serveArgsOnLan(host, opts), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: CLI_ENV,
  });
  const { result, firstLine } = watchCli(child);
  const ready = JSON.parse(await firstLine) as { deviceId: string };
  return {
    host,
    name: opts.name,
    dataDir: opts.dataDir,
    deviceId: ready.deviceId,
    child,
    exited: result,
    api: lanApi(lan, host, opts.dataDir),
  };
}

/** Stops nodes with SIGTERM and waits until they are gone. */
export async function stopLanNodes(nodes: LanNode[]): Promise<void> {
  for (const n of nodes) if (n.child.exitCode === null) n.child.kill('SIGTERM');
  await Promise.all(nodes.map((n) => n.exited));
}

/** Runs `parley ARGS` in a host's namespace. */
export function parleyOnLan(lan: TestLan, host: LanHost, args: string[]): Promise<CliResult> {
  return watchCli(
    lan.spawnIn(host, process.execPath, [PARLEY_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: CLI_ENV,
    }),
  ).result;
}

/** Runs `parley ARGS --data-dir <the node's> --json` on the node's host; its parsed output. */
export async function parleyJson<T>(lan: TestLan, node: LanNode, args: string[]): Promise<T> {
  const r = await parleyOnLan(lan, node.host, [...args, '--data-dir', node.dataDir, '--json']);
  if (r.code !== 0)
    throw new Error(`parley ${args.join(' ')} on ${node.name} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Argv: data folder, command, JSON body. Prints the API's answer, as it came. */
const CALL_SCRIPT = `
const fs = require('node:fs');
const path = require('node:path');
const [dir, command, body] = process.argv.slice(1);
const { port } = JSON.parse(fs.readFileSync(path.join(dir, ${JSON.stringify(API_ENDPOINT_FILE)}), 'utf8'));
const token = fs.readFileSync(path.join(dir, ${JSON.stringify(API_TOKEN_FILE)}), 'utf8').trim();
fetch('http://127.0.0.1:' + port + ${JSON.stringify(API_PREFIX)} + command, {
  method: 'POST',
  headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
  body,
})
  .then((r) => r.text())
  .then((text) => process.stdout.write(text))
  .catch((err) => {
    process.stderr.write(String(err));
    process.exitCode = 1;
  });
`;

/** A client of the local API of the node on `dataDir`, which runs on `host`. */
export function lanApi(lan: TestLan, host: LanHost, dataDir: string): LocalApiClient {
  return {
    async invoke<N extends CommandName>(name: N, args: CommandArgs<N>) {
      const child = lan.spawnIn(
        host,
        process.execPath,
        ['-e', CALL_SCRIPT, dataDir, name, JSON.stringify(args)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const r = await watchCli(child).result;
      if (r.code !== 0) throw new ParleyError('NOT_RUNNING', `${name} on ${host.ns}: ${r.stderr}`);
      const answer = JSON.parse(r.stdout) as Result<CommandResult<N>>;
      if (!answer.ok)
        throw new ParleyError(
          isErrorCode(answer.error.code) ? answer.error.code : 'INTERNAL',
          answer.error.message,
        );
      return answer.value;
    },
  };
}
