/**
 * Everything end-to-end tests share, from one place: the running stack (stack.ts), and the
 * test tree's single way to wait on a condition, pick a port and run a child process.
 */
export * from './stack';
export { freePort, listenLocal } from '../../helpers/net';
export { startProcess, type RunningProcess } from '../../helpers/process';
export { waitFor, type WaitOptions } from '../../helpers/wait';
