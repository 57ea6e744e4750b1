import { rotationOrder } from '../../../src/audit/rotation-order';

describe('rotationOrder', () => {
  it.each([
    [['audit.log', 'audit.log.1', 'audit.log.10', 'audit.log.2'], ['audit.log.10', 'audit.log.2', 'audit.log.1', 'audit.log']],
    [['audit.log.2', 'audit.log.1', 'audit.log'], ['audit.log.2', 'audit.log.1', 'audit.log']],
    [['b.log', 'a.log', 'a.log.1'], ['b.log', 'a.log.1', 'a.log']],
    [['web-1.log', 'web-2.log'], ['web-1.log', 'web-2.log']],
    [['x.1', 'y.2'], ['x.1', 'y.2']],
    [['/dev/stdin'], ['/dev/stdin']],
  ])('%j -> %j', (input, expected) => {
    expect(rotationOrder(input)).toEqual(expected);
  });
});
