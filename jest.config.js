/**
 * Jest projects: `unit` (npm test: units and in-process integration), `e2e` (the real-peer
 * stack) and `node` (the stack's real node, SB_NODE=1: npm run test:node).
 */
/** The node project's files; node.e2e.test.ts runs last (test/node-sequencer.js): it ends with stack:down. */
const NODE_TESTS = ['pods.e2e.test.ts', 'pods-lifecycle.e2e.test.ts', 'pods-modes.e2e.test.ts', 'demo.e2e.test.ts', 'node.e2e.test.ts'];
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  testSequencer: '<rootDir>/test/node-sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], testPathIgnorePatterns: NODE_TESTS.map((f) => `/${f.replace(/\./g, '\\.')}$`) },
    { ...common, displayName: 'node', testMatch: NODE_TESTS.map((f) => `<rootDir>/test/e2e/${f}`) },
  ],
};
