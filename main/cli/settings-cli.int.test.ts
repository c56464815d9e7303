// `parley settings` and `parley settings set` in-process against a real node's local API (no
// discovery, peer server on loopback): plain and --json output, changes, and refusals in words.
import { afterEach, describe, expect, it } from 'vitest';
import { createNode, type ParleyNode } from '../core/node';
import { silentLogger } from '../core/log/logger';
import { tempDirs } from '../core/testing/temp-dir';
import { runMain as parley } from './testing/run-main';

const dirs = tempDirs();
const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  dirs.cleanup();
});

async function runningNode(): Promise<string> {
  const dataDir = dirs.make();
  const node = createNode({
    dataDir,
    name: 'Ann',
    logger: silentLogger,
    peer: { host: '127.0.0.1', port: 0 },
    discovery: false,
  });
  nodes.push(node);
  await node.start();
  return dataDir;
}

describe('parley settings', () => {
  it('prints the settings, changes them, and says when a restart is needed', async () => {
    const dir = await runningNode();
    const shown = await parley(['settings', '--data-dir', dir]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Notifications: +on/);
    expect(shown.stdout).not.toMatch(/next starts/);

    const set = await parley([
      'settings',
      'set',
      '--notifications',
      'off',
      '--discovery-port',
      '48000',
      '--data-dir',
      dir,
    ]);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/Notifications: +off/);
    expect(set.stdout).toMatch(/Discovery port: +48000 \(UDP\)/);
    expect(set.stdout).toMatch(/apply when Parley next starts/);

    const json = await parley(['settings', '--json', '--data-dir', dir]);
    expect(JSON.parse(json.stdout)).toEqual({
      notifications: false,
      discoveryGroup: '239.255.77.77',
      discoveryPort: 48000,
      restartRequired: true,
      rotateAfterMessages: 1000,
      rotateAfterDays: 7,
    });
  });

  it('shows and changes when room keys are renewed', async () => {
    const dir = await runningNode();
    const shown = await parley(['settings', '--data-dir', dir]);
    expect(shown.stdout).toMatch(/Key renewal: +after 1,000 messages, after 7 days/);
    const set = await parley([
      'settings',
      'set',
      '--rotate-after-messages',
      '250',
      '--rotate-after-days',
      '0',
      '--data-dir',
      dir,
    ]);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/Key renewal: +after 250 messages, never by age/);
    const json = await parley(['settings', '--json', '--data-dir', dir]);
    expect(JSON.parse(json.stdout)).toMatchObject({ rotateAfterMessages: 250, rotateAfterDays: 0 });

    const tooMany = await parley([
      'settings',
      'set',
      '--rotate-after-days',
      '4000',
      '--data-dir',
      dir,
    ]);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(
      /days after which a room's key is renewed must be a whole number/,
    );
    const notANumber = await parley([
      'settings',
      'set',
      '--rotate-after-messages',
      'lots',
      '--data-dir',
      dir,
    ]);
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toMatch(/--rotate-after-messages takes a whole number, not "lots"/);
    const after = await parley(['settings', '--json', '--data-dir', dir]);
    expect(JSON.parse(after.stdout)).toMatchObject({
      rotateAfterMessages: 250,
      rotateAfterDays: 0,
    });
  });

  it('refuses wrong values in plain words and changes nothing', async () => {
    const dir = await runningNode();
    const group = await parley([
      'settings',
      'set',
      '--discovery-group',
      '10.0.0.1',
      '--data-dir',
      dir,
    ]);
    expect(group.code).toBe(1);
    expect(group.stderr).toMatch(/The discovery group must be a multicast address/);
    const port = await parley(['settings', 'set', '--discovery-port', '80', '--data-dir', dir]);
    expect(port.code).toBe(1);
    expect(port.stderr).toMatch(/The discovery port must be from 1024 to 65535/);
    const onOff = await parley(['settings', 'set', '--notifications', 'maybe', '--data-dir', dir]);
    expect(onOff.code).toBe(2);
    expect(onOff.stderr).toMatch(/--notifications takes on or off/);
    const nothing = await parley(['settings', 'set', '--data-dir', dir]);
    expect(nothing.code).toBe(2);
    const json = await parley(['settings', '--json', '--data-dir', dir]);
    expect(JSON.parse(json.stdout)).toMatchObject({ notifications: true, restartRequired: false });
  });
});
