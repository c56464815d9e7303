/**
 * Peer-link set-up on loopback beside a bare TLS 1.3 handshake, sampled in turns so that both
 * see the same noise of a shared machine. Set-up runs from want() to the link being up on both
 * sides (TCP, mutual TLS, the HTTP upgrade to WebSocket and the hellos), in both ways a link
 * comes about: the lower device ID dials, or the higher one asks it to dial back.
 */
import { performance } from 'node:perf_hooks';
import type { Identity } from '../main/core/identity/identity';
import { CLOSE_CODES, type Link } from '../main/core/net';
import {
  NodePool,
  makeIdentities,
  want,
  type TestNode,
} from '../main/core/net/testing/net-test-kit';
import { tempDirs } from '../main/core/testing/temp-dir';
import { latency, type Latency } from './latency';
import { clientOptions, startBareTlsServer } from './tls-handshake';

export interface LinkSetup {
  /** The baseline: a handshake with the client options as the link manager passes them. */
  bareHandshake: Latency;
  /** The same with the client's secure context built once: the handshake alone. */
  handshakeOnly: Latency;
  dial: Latency;
  request: Latency;
}

/** The first link `node` brings up with `peer`, and when (performance.now()). */
function nextLinkUp(node: TestNode, peer: TestNode): Promise<{ link: Link; at: number }> {
  return new Promise((resolve) => {
    const off = node.manager.on('link-up', (link) => {
      if (link.peer.deviceId !== peer.identity.deviceId) return;
      off();
      resolve({ link, at: performance.now() });
    });
  });
}

/** `from` wants `to`; ms until both hold the link. Then it is dropped, and nobody redials. */
async function linkOnce(from: TestNode, to: TestNode): Promise<number> {
  const ups = Promise.all([nextLinkUp(from, to), nextLinkUp(to, from)]);
  const start = performance.now();
  want(from, to);
  const [mine, theirs] = await ups;
  const elapsed = Math.max(mine.at, theirs.at) - start;
  from.manager.unwant(to.identity.deviceId);
  mine.link.close(CLOSE_CODES.goingAway, 'benchmark sample done');
  await Promise.all([mine.link.socketClosed, theirs.link.socketClosed]);
  return elapsed;
}

/**
 * Runs one sample of every step in turn, `samples` times after `warmUp` unrecorded rounds, so
 * that a slow spell of a shared machine hits all of them alike.
 */
async function inTurns<K extends string>(
  steps: Record<K, () => Promise<number>>,
  samples: number,
  warmUp: number,
): Promise<Record<K, number[]>> {
  const names = Object.keys(steps) as K[];
  const times = Object.fromEntries(names.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = -warmUp; i < samples; i++) {
    for (const name of names) {
      const ms = await steps[name]();
      if (i >= 0) times[name].push(ms);
    }
  }
  return times;
}

export async function linkSetup(samples: number, warmUp = 20): Promise<LinkSetup> {
  const dirs = tempDirs();
  const pool = new NodePool();
  try {
    // Sorted by device ID: `lower` is the one that dials.
    const [lower, higher] = (await makeIdentities(dirs, 2)) as [Identity, Identity];
    const bare = await startBareTlsServer(higher);
    try {
      const low = await pool.start(lower);
      const high = await pool.start(higher);
      const client = clientOptions(lower);
      const steps = {
        bare: () => bare.handshake(client.perConnect),
        handshakeOnly: () => bare.handshake(client.sharedContext),
        dial: () => linkOnce(low, high),
        request: () => linkOnce(high, low),
      };
      const times = await inTurns(steps, samples, warmUp);
      return {
        bareHandshake: latency(
          'bare TLS 1.3 handshake, mutual, P-256 (connect → secureConnect)',
          times.bare,
        ),
        handshakeOnly: latency(
          'the same handshake, client secure context built once',
          times.handshakeOnly,
        ),
        dial: latency('link set-up, the lower ID dials (want → up on both sides)', times.dial),
        request: latency(
          'link set-up, the higher ID asks to be dialled (want → up on both sides)',
          times.request,
        ),
      };
    } finally {
      await bare.close();
    }
  } finally {
    await pool.closeAll();
    dirs.cleanup();
  }
}
