/**
 * `npm run bench`: runs every benchmark and prints a Markdown report (copy it into
 * docs/BENCHMARKS.md with the date and the machine). Benchmarks measure; tests never time.
 */
import { cpus, totalmem } from 'node:os';
import { baselines } from './baselines.bench';
import { discoveryAndLinks } from './discovery-links';
import { table } from './measure';
import { roomsAndMessages } from './rooms-messages';

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`# Parley benchmarks\n\n${new Date().toISOString().slice(0, 10)} on ${machine}\n`);
console.log('## Raw baselines\n');
const base = await baselines();
console.log(table(Object.values(base)));
console.log('\n## Discovery and links\n');
console.log(await discoveryAndLinks());
console.log('\n## Rooms and messages\n');
console.log(await roomsAndMessages(base));
