#!/usr/bin/env node
// The package builds on install (npm "prepare"), so the bin runs the compiled sources.
import { main } from '../dist/cli/main.js';

main(process.argv).then((exitCode) => {
  process.exitCode = exitCode;
});
