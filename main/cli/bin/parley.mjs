#!/usr/bin/env node
// The `parley` command. It runs the TypeScript sources directly through tsx, so that
// `npx parley` works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main.ts');
process.exitCode = await main(process.argv.slice(2));
