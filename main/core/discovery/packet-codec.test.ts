import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { Encoder } from 'cbor-x';
import { sign, SIGN_LABELS } from '../crypto';
import { silentLogger } from '../log/logger';
import {
  decodePacket,
  encodeAnnouncement,
  encodeAnswer,
  encodePacket,
  encodeQuery,
  MAX_PACKET_BYTES,
  type DropReason,
  type PacketFields,
} from './packet-codec';
import { createDiscovery, type Discovery } from './discovery';
import { createFakeHub, testIdentity, type TestIdentity } from './fake-beacon.testing';

const alice = testIdentity();
const mallory = testIdentity();

function fieldsOf(id: TestIdentity, over: Partial<PacketFields> = {}): PacketFields {
  return {
    deviceId: id.deviceId,
    instanceId: 'a'.repeat(32),
    name: 'Alice',
    port: 4433,
    ts: 1_700_000_000_000,
    publicKeySpki: id.publicKeySpki,
    ...over,
  };
}

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

/** The wire body of `fieldsOf(id)`, with keys changed or removed. */
function body(id: TestIdentity, over: Record<string, unknown> = {}, omit: string[] = []) {
  const map: Record<string, unknown> = {
    id: id.deviceId,
    inst: 'a'.repeat(32),
    name: 'Alice',
    port: 4433,
    ts: 1_700_000_000_000,
    key: new Uint8Array(id.publicKeySpki),
    ...over,
  };
  for (const k of omit) delete map[k];
  return new Uint8Array(cbor.encode(map));
}

/** A correctly framed and signed packet around any body bytes. */
function frame(
  bodyBytes: Uint8Array,
  signer: KeyObject,
  { version = 1, type = 1 }: { version?: number; type?: number } = {},
): Uint8Array {
  const head = Uint8Array.of(
    0x50,
    0x52,
    0x4c,
    0x59,
    version,
    type,
    bodyBytes.length >> 8,
    bodyBytes.length & 0xff,
  );
  const signed = Buffer.concat([head, bodyBytes]);
  return Buffer.concat([signed, sign(signer, SIGN_LABELS.discovery, signed)]);
}

const valid = encodeAnnouncement(fieldsOf(alice), alice.privateKey);

/** Every way a datagram can be refused, each with an example. */
function rejections(): Array<[string, DropReason, Uint8Array]> {
  const resigned = (mutate: (b: Uint8Array) => void) => {
    const copy = new Uint8Array(valid);
    mutate(copy);
    return copy;
  };
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey;
  // A well-formed SPKI, but not P-256.
  const p384Spki = new Uint8Array(p384.export({ format: 'der', type: 'spki' }));
  return [
    ['empty', 'truncated', new Uint8Array(0)],
    ['cut in the header', 'truncated', valid.subarray(0, 6)],
    ['cut in the body', 'truncated', valid.subarray(0, 40)],
    ['cut in the signature', 'truncated', valid.subarray(0, valid.length - 1)],
    ['over the size cap', 'oversized', new Uint8Array(MAX_PACKET_BYTES + 1)],
    ['valid frame padded over the cap', 'oversized', Buffer.concat([valid, new Uint8Array(2000)])],
    ['wrong magic', 'bad_magic', resigned((b) => (b[0] = 0x51))],
    ['random bytes', 'bad_magic', Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)],
    ['version 2', 'unknown_version', frame(body(alice), alice.privateKey, { version: 2 })],
    ['version 0', 'unknown_version', frame(body(alice), alice.privateKey, { version: 0 })],
    ['type 0', 'unknown_type', frame(body(alice), alice.privateKey, { type: 0 })],
    ['type 4', 'unknown_type', frame(body(alice), alice.privateKey, { type: 4 })],
    ['a byte after the signature', 'malformed', Buffer.concat([valid, Uint8Array.of(0)])],
    ['CBOR garbage', 'malformed', frame(Uint8Array.of(0xa1, 0xff, 0xff), alice.privateKey)],
    ['CBOR break code', 'malformed', frame(Uint8Array.of(0xff), alice.privateKey)],
    ['empty body', 'malformed', frame(new Uint8Array(0), alice.privateKey)],
    ['CBOR array', 'malformed', frame(new Uint8Array(cbor.encode([1, 2])), alice.privateKey)],
    [
      'trailing CBOR',
      'malformed',
      frame(Buffer.concat([body(alice), Uint8Array.of(0)]), alice.privateKey),
    ],
    ['field missing', 'malformed', frame(body(alice, {}, ['port']), alice.privateKey)],
    ['unknown field', 'malformed', frame(body(alice, { addr: '10.0.0.1' }), alice.privateKey)],
    ['port out of range', 'malformed', frame(body(alice, { port: 70_000 }), alice.privateKey)],
    ['negative ts', 'malformed', frame(body(alice, { ts: -1 }), alice.privateKey)],
    ['fractional ts', 'malformed', frame(body(alice, { ts: 1.5 }), alice.privateKey)],
    ['64-bit ts', 'malformed', frame(body(alice, { ts: 2n ** 63n }), alice.privateKey)],
    ['empty name', 'malformed', frame(body(alice, { name: '' }), alice.privateKey)],
    ['untrimmed name', 'malformed', frame(body(alice, { name: ' Alice' }), alice.privateKey)],
    [
      'control char in name',
      'malformed',
      frame(body(alice, { name: 'A\u0007' }), alice.privateKey),
    ],
    ['name too long', 'malformed', frame(body(alice, { name: 'x'.repeat(65) }), alice.privateKey)],
    [
      'uppercase instance',
      'malformed',
      frame(body(alice, { inst: 'A'.repeat(32) }), alice.privateKey),
    ],
    [
      'lowercase id',
      'malformed',
      frame(body(alice, { id: alice.deviceId.toLowerCase() }), alice.privateKey),
    ],
    ['key as text', 'malformed', frame(body(alice, { key: 'abc' }), alice.privateKey)],
    [
      'key not a P-256 SPKI',
      'bad_key',
      frame(body(alice, { key: new Uint8Array(91) }), alice.privateKey),
    ],
    ['key on another curve', 'bad_key', frame(body(alice, { key: p384Spki }), alice.privateKey)],
    [
      "another node's ID, the attacker's key and signature",
      'id_mismatch',
      frame(body(alice, { key: new Uint8Array(mallory.publicKeySpki) }), mallory.privateKey),
    ],
    [
      "another node's ID and key, signed by the attacker",
      'bad_signature',
      frame(body(alice), mallory.privateKey),
    ],
    [
      'a changed byte in the body',
      'bad_signature',
      resigned((b) => {
        // The name "Alice" becomes "Alicf": still a valid body, no longer what was signed.
        const at = Buffer.from(b).indexOf('Alice');
        b[at + 4] = 0x66;
      }),
    ],
    ['a changed signature', 'bad_signature', resigned((b) => (b[b.length - 1]! ^= 1))],
    [
      'a query signed for another purpose',
      'bad_signature',
      (() => {
        const f = frame(body(alice), alice.privateKey, { type: 2 });
        const signed = f.subarray(0, f.length - 64);
        return Buffer.concat([signed, sign(alice.privateKey, SIGN_LABELS.envelope, signed)]);
      })(),
    ],
  ];
}

describe('discovery packet codec', () => {
  it.each([
    ['announce', encodeAnnouncement],
    ['query', encodeQuery],
    ['answer', encodeAnswer],
  ] as const)('round-trips an %s', (type, encode) => {
    const fields = fieldsOf(alice, { name: 'Zoë 🙂', port: 0 });
    const bytes = encode(fields, alice.privateKey);
    expect(bytes.length).toBeLessThanOrEqual(MAX_PACKET_BYTES);
    const decoded = decodePacket(bytes);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const { publicKey, publicKeySpki, ...rest } = decoded.packet;
    const { publicKeySpki: _spki, ...sent } = fields;
    expect(rest).toEqual({ ...sent, type });
    expect(Buffer.from(publicKeySpki).equals(Buffer.from(alice.publicKeySpki))).toBe(true);
    expect(publicKey.equals(alice.publicKey)).toBe(true);
  });

  it('carries no address, only the TCP port', () => {
    const bytes = encodeAnnouncement(fieldsOf(alice), alice.privateKey);
    const decoded = decodePacket(bytes);
    expect(decoded.ok && Object.keys(decoded.packet).sort()).toEqual(
      ['deviceId', 'instanceId', 'name', 'port', 'publicKey', 'publicKeySpki', 'ts', 'type'].sort(),
    );
  });

  it('keeps the largest possible packet under the size cap', () => {
    const name = '🙂'.repeat(32); // 64 UTF-16 units, 128 bytes of UTF-8
    const bytes = encodePacket(
      'answer',
      fieldsOf(alice, { name, port: 65_535, ts: Number.MAX_SAFE_INTEGER }),
      alice.privateKey,
    );
    expect(bytes.length).toBeLessThan(MAX_PACKET_BYTES / 2);
  });

  it('refuses to encode fields the protocol does not allow', () => {
    expect(() => encodeAnnouncement(fieldsOf(alice, { port: -1 }), alice.privateKey)).toThrow(
      TypeError,
    );
    expect(() => encodeAnnouncement(fieldsOf(alice, { name: '' }), alice.privateKey)).toThrow(
      TypeError,
    );
    expect(() =>
      encodeAnnouncement(fieldsOf(alice, { instanceId: 'x' }), alice.privateKey),
    ).toThrow(TypeError);
  });

  it.each(rejections())('drops %s as %s', (_what, reason, bytes) => {
    expect(decodePacket(bytes)).toEqual({ ok: false, reason });
  });

  it('reads every prefix of a valid packet as truncated', () => {
    for (let n = 0; n < valid.length; n++) {
      expect(decodePacket(valid.subarray(0, n))).toEqual({ ok: false, reason: 'truncated' });
    }
  });

  it('never throws on random input', () => {
    const prefix = Uint8Array.of(0x50, 0x52, 0x4c, 0x59, 1, 1);
    for (let i = 0; i < 3000; i++) {
      const junk = randomBytes(Math.floor(Math.random() * 300));
      const framed = Buffer.concat([prefix, junk]);
      for (const bytes of [junk, framed]) {
        const result = decodePacket(bytes);
        expect(result.ok).toBe(false);
      }
    }
    // Not even for things that are not bytes at all.
    expect(decodePacket(null as unknown as Uint8Array)).toEqual({ ok: false, reason: 'malformed' });
    expect(decodePacket('PRLY' as unknown as Uint8Array)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('never throws on random CBOR bodies in a valid frame', () => {
    for (let i = 0; i < 300; i++) {
      const junk = Buffer.concat([Uint8Array.of(0xa0 + (i % 8)), randomBytes(i % 120)]);
      const result = decodePacket(frame(junk, alice.privateKey));
      expect(result.ok).toBe(false);
    }
  });
});

describe('a discovery service fed bad packets', () => {
  let service: Discovery | undefined;
  afterEach(async () => {
    await service?.close();
  });

  it.each(rejections())('counts %s as %s and changes nothing', async (_what, reason, bytes) => {
    const hub = createFakeHub();
    const bob = testIdentity();
    const beacon = hub.beacon('10.0.0.2');
    service = createDiscovery({
      identity: bob,
      instanceId: 'b'.repeat(32),
      name: () => 'Bob',
      tcpPort: () => 4000,
      beacon,
      logger: silentLogger,
    });
    await service.start();
    // One legitimate peer is known before the bad packet comes.
    hub.inject(encodeAnnouncement(fieldsOf(alice, { ts: Date.now() }), alice.privateKey), {
      address: '10.0.0.1',
      port: 5000,
    });
    hub.flush();
    const peersBefore = service.peers();
    expect(peersBefore.map((p) => p.deviceId)).toEqual([alice.deviceId]);
    const statsBefore = service.stats();
    const sentBefore = hub.sent.length;

    hub.inject(bytes, { address: '10.0.0.66', port: 6666 });
    hub.flush();

    expect(service.stats()).toEqual({ ...statsBefore, [reason]: statsBefore[reason] + 1 });
    expect(service.peers()).toEqual(peersBefore);
    expect(hub.sent.length).toBe(sentBefore); // no answer, no reaction at all
  });
});
