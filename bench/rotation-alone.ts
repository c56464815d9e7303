/**
 * `node --import tsx bench/rotation-alone.ts [members...]`: only the key rotation rows, for
 * profiling the rotation path (`node --cpu-prof --import tsx bench/rotation-alone.ts 200`).
 * Prints each room size's admin p50 against this run's ECDH p50, as the report does. To compare
 * two checkouts on a busy machine, bench/rotation-ab.ts alternates them in one process.
 */
import { ecdh } from '../main/core/crypto/ecdh';
import { generateEcKeyPair } from '../main/core/crypto/keys';
import { measure } from './measure';
import { rotation } from './rotation.bench';

/** Samples per room size, as in the report (rooms-messages.ts). */
const SAMPLES: Record<number, number> = { 10: 50, 50: 30, 200: 15 };
const sizes = process.argv.slice(2).map(Number);
const alice = generateEcKeyPair();
const bob = generateEcKeyPair();
const ecdhP50Us = (await measure('ECDH', 2000, () => ecdh(alice.privateKey, bob.publicKey))).p50Us;
for (const members of sizes.length > 0 ? sizes : [10, 50, 200]) {
  const r = await rotation(members, SAMPLES[members] ?? 20);
  const p = r.partsP50Ms;
  const derivesMs = (members * ecdhP50Us) / 1000;
  const ratio = r.admin.p50Ms / derivesMs;
  console.log(
    `${members} members: admin p50 ${r.admin.p50Ms.toFixed(2)} ms = ${ratio.toFixed(2)} × ` +
      `${members} ECDH (${ecdhP50Us} µs); seal ${p.seal.toFixed(2)}, sign ${p.sign.toFixed(2)}, ` +
      `fold ${p.fold.toFixed(2)} ms; member p50 ${r.member.p50Ms.toFixed(2)} ms; CPU p50 ` +
      `${r.adminCpuP50Ms.toFixed(2)} ms = ${(r.adminCpuP50Ms / derivesMs).toFixed(2)} × ; ` +
      `${Math.round(r.onThreadShare * 100)} % of derives on the ECDH thread; one thread p50 ` +
      `${r.oneThread.p50Ms.toFixed(2)} ms = ${(r.oneThread.p50Ms / derivesMs).toFixed(2)} ×`,
  );
}
