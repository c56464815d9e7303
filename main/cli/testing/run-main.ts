/**
 * Runs the `parley` command line in this process (main.ts with a CliIo that keeps what it
 * prints), for tests that want a real node's objects at hand rather than a child process.
 */
import type { CliIo } from '../cli-io';
import { main } from '../main';
import type { CliResult } from './run-cli';

export async function runMain(args: string[]): Promise<Omit<CliResult, 'signal'>> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env: {} };
  const code = await main(args, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
