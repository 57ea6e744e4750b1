/**
 * Test order for Jest: the default, except that the node's own suite (node.e2e.test.ts)
 * runs last, because its last test takes the stack down (npm run test:node).
 */
const Sequencer = require('@jest/test-sequencer').default;

const LAST = /[/\\]node\.e2e\.test\.ts$/;

class NodeLastSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const order = (list) => [...list.filter((t) => !LAST.test(t.path)), ...list.filter((t) => LAST.test(t.path))];
    return sorted instanceof Promise ? sorted.then(order) : order(sorted);
  }
}

module.exports = NodeLastSequencer;
