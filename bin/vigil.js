#!/usr/bin/env node
// Entry point for `npx vigil`: runs the compiled CLI (built by `npm install` via the prepare script).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
