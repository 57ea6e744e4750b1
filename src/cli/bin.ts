#!/usr/bin/env node
/** The process edge: the only place that gives the process its exit code. */
import { EXIT } from './exit';
import { runCli } from './main';

runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`secrets-broker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.RUNTIME;
  },
);
