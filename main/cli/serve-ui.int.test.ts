import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../core/testing/temp-dir';
import {
  ensureRendererBuilt,
  frameLog,
  openBridge,
  upgradeOutcome,
} from '../core/api/web-ui-server.testing';
import { waitFor } from '../core/testing/wait';
import { killAllCliChildren, runCli, safeServeArgs, startCli } from './testing/run-cli';

const dirs = tempDirs();
beforeAll(() => ensureRendererBuilt(), 120_000);
afterEach(() => {
  killAllCliChildren();
  dirs.cleanup();
});

describe('parley serve --ui', () => {
  it('prints a URL that opens the web GUI and drives the node', async () => {
    const serve = startCli([
      'serve',
      '--data-dir',
      dirs.make(),
      '--name',
      'Browser',
      '--json',
      '--ui',
      '--ui-port',
      '0',
      ...safeServeArgs(),
    ]);
    const ready = JSON.parse(await serve.firstLine) as { uiUrl: string; name: string };
    const url = new URL(ready.uiUrl);
    expect(url.hostname).toBe('127.0.0.1');
    const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const page = await fetch(new URL('/', url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root">');

    const ws = openBridge(Number(url.port), { token, origin: url.origin });
    const frames = frameLog(ws);
    expect(await upgradeOutcome(ws)).toBe('open');
    ws.send(JSON.stringify({ id: 1, name: 'identity.get', args: {} }));
    await waitFor(() => frames.length > 0, 'an answer');
    expect(frames[0]).toMatchObject({ id: 1, result: { ok: true, value: { name: 'Browser' } } });
    ws.close();

    serve.child.kill('SIGTERM');
    expect((await serve.result).code).toBe(0);
  });

  it('prints the address in words without --json, and a new token at every start', async () => {
    const dir = dirs.make();
    const args = ['serve', '--data-dir', dir, '--ui', '--ui-port', '0', ...safeServeArgs()];
    const tokens: string[] = [];
    for (let run = 0; run < 2; run++) {
      const serve = startCli(args);
      let out = '';
      serve.child.stdout!.on('data', (d: string) => (out += d));
      const line = await waitFor(
        () => /Web GUI: +http:\/\/127\.0\.0\.1:\d+\/#token=(\S+)/.exec(out),
        'the Web GUI line',
      );
      tokens.push(line[1]!);
      serve.child.kill('SIGTERM');
      expect((await serve.result).code).toBe(0);
    }
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('refuses --ui-port without --ui, and a port that is taken, in words', async () => {
    const alone = await runCli(['serve', '--ui-port', '0', ...safeServeArgs()]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--ui-port goes with --ui');

    const first = startCli([
      'serve',
      '--data-dir',
      dirs.make(),
      '--json',
      '--ui',
      '--ui-port',
      '0',
      ...safeServeArgs(),
    ]);
    const port = new URL((JSON.parse(await first.firstLine) as { uiUrl: string }).uiUrl).port;
    const second = await runCli([
      'serve',
      '--data-dir',
      dirs.make(),
      '--ui',
      '--ui-port',
      port,
      ...safeServeArgs(),
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`The web GUI port ${port} is already in use`);
    first.child.kill('SIGTERM');
    expect((await first.result).code).toBe(0);
  });
});
