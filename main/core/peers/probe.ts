/**
 * Probing an address typed by a person (`parley peers add HOST:PORT`): a mutually
 * authenticated TLS handshake with whatever listens there, only to learn which device it is
 * (the hash of the key it proves). That device is then trusted on first use like a peer found
 * on the LAN; from then on it is dialled by device ID, and a different key at that address is a
 * security alert, never a silent re-pin.
 */
import { connect, type TLSSocket } from 'node:tls';
import { ParleyError } from '../../../shared/errors';
import { formatPeerAddress, type PeerAddress } from '../../../shared/peer-address';
import type { Identity } from '../identity/identity';
import { peerDeviceId, tlsClientOptions } from '../net/tls-options';

/** How long a probe may take, in ms. */
export const PROBE_TIMEOUT_MS = 5_000;

export interface ProbeResult {
  deviceId: string;
}

export function probePeer(
  identity: Identity,
  target: PeerAddress,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const where = formatPeerAddress(target);
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket: TLSSocket = connect({
      ...tlsClientOptions(identity),
      host: target.host,
      port: target.port,
      servername: undefined,
    });
    const finish = (err: ParleyError | undefined, result?: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(result!);
    };
    const timer = setTimeout(
      () =>
        finish(
          new ParleyError(
            'PEER_UNREACHABLE',
            `No Parley node answered at ${where} within ${timeoutMs / 1000} s.`,
          ),
        ),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      const deviceId = peerDeviceId(socket);
      if (deviceId === undefined || deviceId === identity.deviceId) {
        finish(
          new ParleyError(
            'PEER_UNREACHABLE',
            `What answers at ${where} is not another Parley node.`,
          ),
        );
      } else {
        finish(undefined, { deviceId });
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish(
        new ParleyError(
          'PEER_UNREACHABLE',
          `Could not reach a Parley node at ${where} (${err.code ?? err.message}).`,
        ),
      ),
    );
  });
}
