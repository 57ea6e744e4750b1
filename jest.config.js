/**
 * Jest projects: `unit` (npm test: units and in-process integration), `e2e` (the real-peer
 * stack) and `node` (the stack's real node, SB_NODE=1: npm run test:node).
 */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], testPathIgnorePatterns: ['/node\\.e2e\\.test\\.ts$'] },
    { ...common, displayName: 'node', testMatch: ['<rootDir>/test/e2e/node.e2e.test.ts'] },
  ],
};
