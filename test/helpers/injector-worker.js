/**
 * A worker of a multi-process injector in a test: node:cluster forks this file (the test
 * names it with cluster.setupPrimary), which compiles the TypeScript sources with swc, as
 * jest does, and runs `secrets-broker injector` from the environment.
 */
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const { runCli } = require('../../src/cli/main.ts');

// The worker ends when the primary stops it; its exit code is the primary's concern, not this test's.
void runCli(['injector'], { env: process.env, stdout: process.stdout, stderr: process.stderr });
