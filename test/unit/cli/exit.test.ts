/** Exit codes: one mapping from what a command threw to its code, by class, never by message text. */
import { CommanderError } from 'commander';
import { EXIT, failureOf } from '../../../src/cli/exit';
import { ConfigError, listenFailure, RuntimeFailure, UsageError, VaultError } from '../../../src/errors';

describe('failureOf', () => {
  it.each([
    ['help', new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), EXIT.OK, []],
    ['version', new CommanderError(0, 'commander.version', '1.0.0'), EXIT.OK, []],
    ['an unknown option (commander printed it)', new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"), EXIT.USAGE, []],
    ['bad settings, one line each', new ConfigError([{ setting: 'A', message: 'bad' }, { setting: 'B', message: 'worse' }]), EXIT.USAGE, ['A: bad', 'B: worse']],
    ['bad usage, one line each', new UsageError(['--x: no', '--y: no']), EXIT.USAGE, ['--x: no', '--y: no']],
    ['a runtime failure', new RuntimeFailure('injector: cannot listen on 0.0.0.0:8443 (EADDRINUSE, the port is in use)'), EXIT.RUNTIME, ['injector: cannot listen on 0.0.0.0:8443 (EADDRINUSE, the port is in use)']],
    ['another typed error', new VaultError('network', 'Vault GET secret/x: request failed'), EXIT.RUNTIME, ['Vault GET secret/x: request failed']],
    ['an error nobody raised on purpose', new TypeError('x is not a function'), EXIT.RUNTIME, ['unexpected TypeError: x is not a function']],
    ['a thrown string', 'boom', EXIT.RUNTIME, ['unexpected Error: boom']],
  ])('%s', (_what, err, code, lines) => {
    expect(failureOf(err)).toEqual({ code, lines });
  });

  it('a usage message that reads like a runtime failure is still usage: the class decides', () => {
    expect(failureOf(new UsageError(['cannot listen on 0.0.0.0:8443 (EADDRINUSE)'])).code).toBe(EXIT.USAGE);
    expect(failureOf(new RuntimeFailure('bad usage')).code).toBe(EXIT.RUNTIME);
  });

  it('every code is distinct', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('listenFailure', () => {
  const errno = (code: string) => Object.assign(new Error(`listen ${code}: whatever 127.0.0.1:8443`), { code, syscall: 'listen' });
  it.each([
    ['EADDRINUSE', 'injector: cannot listen on 127.0.0.1:8443 (EADDRINUSE, the port is in use)'],
    ['EACCES', 'injector: cannot listen on 127.0.0.1:8443 (EACCES, not allowed to bind it)'],
    ['EADDRNOTAVAIL', 'injector: cannot listen on 127.0.0.1:8443 (EADDRNOTAVAIL)'],
  ])('%s is a RuntimeFailure naming the address', (code, message) => {
    const out = listenFailure('injector', '127.0.0.1', 8443, errno(code));
    expect(out).toBeInstanceOf(RuntimeFailure);
    expect((out as RuntimeFailure).message).toBe(message);
  });

  it('anything that is not an errno error passes through as itself', () => {
    const err = new RangeError('port out of range');
    expect(listenFailure('injector', '127.0.0.1', 8443, err)).toBe(err);
  });
});
