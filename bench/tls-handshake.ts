/**
 * A bare TLS 1.3 handshake with the same settings as a peer link (P-256 self-signed
 * certificates on both sides, mutual authentication), and nothing above it: the baseline that
 * link set-up is held to.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect, createServer, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { Identity } from '../main/core/identity/identity';
import { tlsClientOptions, tlsServerOptions } from '../main/core/net';

const LOOPBACK = '127.0.0.1';

export interface BareTlsServer {
  /** One full handshake with these client options, in ms from connect() to 'secureConnect'. */
  handshake(client: ConnectionOptions): Promise<number>;
  close(): Promise<void>;
}

export async function startBareTlsServer(identity: Identity): Promise<BareTlsServer> {
  const accepted = new Set<TLSSocket>();
  const server = createServer(tlsServerOptions(identity), (socket) => {
    accepted.add(socket);
    socket.on('close', () => accepted.delete(socket));
  });
  // The client hangs up right after its handshake, so resets here are expected.
  server.on('tlsClientError', () => {});
  server.on('secureConnection', (socket: TLSSocket) => socket.on('error', () => {}));
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    async handshake(client) {
      const options = { host: LOOPBACK, port, ...client };
      const start = performance.now();
      const socket = connect(options);
      await once(socket, 'secureConnect');
      const elapsed = performance.now() - start;
      socket.destroy();
      await once(socket, 'close');
      return elapsed;
    },
    async close() {
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Client options in two forms: key and certificate in PEM, so that every connect() builds its
 * own secure context (what a plain TLS client does), and the peer link's own options, whose
 * context is built once (tlsClientOptions), which leaves only the handshake itself to time.
 */
export function clientOptions(identity: Identity): {
  perConnect: ConnectionOptions;
  sharedContext: ConnectionOptions;
} {
  const perConnect: ConnectionOptions = {
    key: identity.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    cert: identity.certificatePem,
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    rejectUnauthorized: false,
  };
  return { perConnect, sharedContext: tlsClientOptions(identity) };
}
