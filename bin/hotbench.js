#!/usr/bin/env node
// Runs the compiled CLI; `npm install` builds it through the prepare script.
import("../dist/runner/cli/entry.js").catch((err) => {
  process.stderr.write(`hotbench: cannot start (${err && err.message ? err.message : err}). Run \`npm install\` (it compiles the CLI) and try again.\n`);
  process.exit(1);
});
