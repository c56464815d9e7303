/**
 * A stand-in for a MongoDB server on loopback, for what a test needs without one: it speaks
 * just enough of the wire protocol (the OP_QUERY handshake, then OP_MSG) to be found, to ping
 * and to answer every other command with an empty success (finds find nothing). It can go away
 * and come back on the same port, as a replica set's primary does during an election.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { loadMongoDriver } from './driver';

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

export interface FakeMongoServer {
  readonly port: number;
  /** Commands received, by name, in order. */
  readonly commands: string[];
  /** Stops listening and drops every connection. */
  goAway(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeMongoServer(): Promise<FakeMongoServer> {
  const { BSON } = await loadMongoDriver();
  const sockets = new Set<Socket>();
  const commands: string[] = [];
  let requestIds = 1;

  const answer = (command: Record<string, unknown>): Record<string, unknown> => {
    const name = Object.keys(command)[0] ?? '';
    commands.push(name);
    switch (name) {
      case 'hello':
      case 'isMaster':
      case 'ismaster':
        // A standalone server (no setName, no sessions), MongoDB 7.0's wire version.
        return {
          helloOk: true,
          isWritablePrimary: true,
          ismaster: true,
          maxBsonObjectSize: 16 * 1024 * 1024,
          maxMessageSizeBytes: 48_000_000,
          maxWriteBatchSize: 100_000,
          localTime: new Date(),
          minWireVersion: 0,
          maxWireVersion: 21,
          ok: 1,
        };
      case 'find':
      case 'aggregate': {
        const ns = `${String(command.$db)}.${String(command[name])}`;
        return { cursor: { id: BSON.Long.fromNumber(0), ns, firstBatch: [] }, ok: 1 };
      }
      default:
        return { ok: 1 };
    }
  };

  const frame = (responseTo: number, opCode: number, body: Buffer): Buffer => {
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + body.length, 0);
    header.writeInt32LE(requestIds++, 4);
    header.writeInt32LE(responseTo, 8);
    header.writeInt32LE(opCode, 12);
    return Buffer.concat([header, body]);
  };

  const reply = (message: Buffer): Buffer | undefined => {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    if (opCode === OP_QUERY) {
      // flags, then the collection's name (a C string), skip and limit, then the query.
      const nameEnd = message.indexOf(0, 20);
      const query = BSON.deserialize(message.subarray(nameEnd + 9));
      const doc = BSON.serialize(answer(query));
      const head = Buffer.alloc(20); // responseFlags, cursorID, startingFrom, numberReturned
      head.writeInt32LE(1, 16);
      return frame(requestId, OP_REPLY, Buffer.concat([head, doc]));
    }
    if (opCode === OP_MSG) {
      // flagBits, then section kind 0 (the command) first: the driver sends it so.
      const body = BSON.deserialize(message.subarray(21, 21 + message.readInt32LE(21)));
      const doc = BSON.serialize(answer(body));
      const head = Buffer.from([0, 0, 0, 0, 0]); // flagBits, section kind 0
      return frame(requestId, OP_MSG, Buffer.concat([head, doc]));
    }
    return undefined;
  };

  const serve = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const message = pending.subarray(0, pending.readInt32LE(0));
        pending = pending.subarray(message.length);
        const out = reply(message);
        if (out) socket.write(out);
        else socket.destroy();
      }
    });
  };

  let server: Server = createServer(serve);
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const stop = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  await listen(0);
  const { port } = server.address() as { port: number };
  return {
    port,
    commands,
    goAway: stop,
    async comeBack() {
      server = createServer(serve);
      await listen(port);
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
