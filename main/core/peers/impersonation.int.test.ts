// An attacker on the LAN announces another node's device ID, pointing at its own server.
// Nobody may link to the attacker because of it, and the real node must be unaffected.
import { afterEach, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { createServer as createTlsServer } from 'node:tls';
import type { ParleyNode } from '../node';
import { tempDirs } from '../testing/temp-dir';
import { randomTestPort, waitFor } from '../testing/wait';
import { peerRow, testNodes } from '../testing/test-nodes';
import { loadOrCreateIdentity } from '../identity/identity';
import { plainKeyProtector } from '../identity/key-protector';
import { encodeAnnouncement, DEFAULT_GROUP } from '../discovery';
import { tlsServerOptions } from '../net';
import { randomId } from '../crypto/random';
import type { PeerInfo } from '../../../shared/api';

const dirs = tempDirs();
const { lanNode, closeAll } = testNodes(dirs);
afterEach(async () => {
  await closeAll();
  dirs.cleanup();
});

describe('impersonation on the LAN', () => {
  it('an announcement of another node’s ID never leads to a link with the attacker', async () => {
    const groupPort = randomTestPort();
    const make = (name: string): ParleyNode => lanNode(name, groupPort);
    const alice = make('Alice');
    const bob = make('Bob');
    await Promise.all([alice.start(), bob.start()]);
    const bobRow = (): Promise<PeerInfo | undefined> => peerRow(alice, bob.identity.deviceId);
    await waitFor(async () => (await bobRow())?.linked, 'Alice linked to Bob');

    // The attacker: its own identity, a TLS server that counts who connects, and a UDP socket.
    const attacker = await loadOrCreateIdentity(dirs.make(), plainKeyProtector);
    let connections = 0;
    const trap = createTlsServer(tlsServerOptions(attacker), (socket) => {
      connections++;
      socket.destroy();
    });
    trap.on('connection', () => connections++);
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const trapPort = (trap.address() as { port: number }).port;
    const udp = createSocket({ type: 'udp4' });
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    udp.setMulticastInterface('127.0.0.1');
    udp.setMulticastTTL(1);

    try {
      const lies = [
        // Bob's ID with the attacker's key: the ID is not the hash of the key.
        encodeAnnouncement(
          {
            deviceId: bob.identity.deviceId,
            instanceId: randomId(),
            name: 'Bob',
            port: trapPort,
            ts: Date.now(),
            publicKeySpki: attacker.publicKeySpki,
          },
          attacker.privateKey,
        ),
        // Bob's ID and Bob's public key, signed by the attacker.
        encodeAnnouncement(
          {
            deviceId: bob.identity.deviceId,
            instanceId: randomId(),
            name: 'Bob',
            port: trapPort,
            ts: Date.now() + 1,
            publicKeySpki: bob.identity.publicKeySpki,
          },
          attacker.privateKey,
        ),
      ];
      for (let round = 0; round < 5; round++) {
        for (const packet of lies) udp.send(packet, groupPort, DEFAULT_GROUP);
        await new Promise((r) => setTimeout(r, 100));
      }
      // Give Alice time to act on them, then check that nothing changed.
      await new Promise((r) => setTimeout(r, 500));
      expect(connections).toBe(0);
      const row = await bobRow();
      expect(row).toMatchObject({
        linked: true,
        online: true,
        address: `127.0.0.1:${bob.peerPort}`,
      });
    } finally {
      udp.close();
      await new Promise<void>((resolve) => trap.close(() => resolve()));
    }
  });
});
