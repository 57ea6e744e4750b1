/** The test tree's one poll helper and its child-process helper: they must fail loudly and stop what they start. */
import { startProcess } from '../../helpers/process';
import { waitFor } from '../../helpers/wait';

describe('waitFor (fake clock)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves at the first check after the condition holds, checking once per interval', async () => {
    let checks = 0;
    const readyAt = Date.now() + 1000;
    const done = waitFor('the flag', () => (checks++, Date.now() >= readyAt), { timeoutMs: 5000, intervalMs: 100 });
    await jest.advanceTimersByTimeAsync(1000);
    await expect(done).resolves.toBeUndefined();
    expect(checks).toBe(11); // at 0, 100, ..., 1000 ms: no busy loop
  });

  it.each([
    { name: 'a false condition', cond: () => false, message: /^timed out after 300 ms waiting for the flag\nlast lines$/ },
    { name: 'a condition that throws', cond: (): boolean => { throw new Error('ENOENT: no file'); }, message: /waiting for the flag \(last check threw: ENOENT: no file\)\nlast lines$/ },
  ])('fails at the deadline naming what it waited for: $name', async ({ cond, message }) => {
    const done = waitFor('the flag', cond, { timeoutMs: 300, intervalMs: 100, detail: () => 'last lines' });
    const failed = expect(done).rejects.toThrow(message);
    await jest.advanceTimersByTimeAsync(300);
    await failed;
  });
});

describe('startProcess', () => {
  it('captures both streams and resolves the exit code once the output is complete', async () => {
    const p = startProcess(process.execPath, ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exitCode = 3'], { input: '' });
    await expect(p.ended).resolves.toBe(3);
    expect([p.stdout(), p.stderr(), p.running()]).toEqual(['out', 'err', false]);
  });

  it('passes input on stdin', async () => {
    const p = startProcess(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'hello' });
    await p.ended;
    expect(p.stdout()).toBe('hello');
  });

  it('stop() kills with SIGKILL a process that ignores the signal past the deadline', async () => {
    const p = startProcess(process.execPath, ['-e', 'process.on("SIGTERM", () => console.log("ignored")); console.log("ready"); setInterval(() => undefined, 1000)']);
    await waitFor('the handler installed', () => p.stdout().includes('ready'));
    await expect(p.stop('SIGTERM', 300)).resolves.toBeNull();
    expect(p.stdout()).toContain('ignored');
  });
});
