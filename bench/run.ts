/**
 * `npm run bench [NAME...]`: runs the side-by-side benchmarks and prints one markdown
 * table each (ours, the peer's figure from the same run, the ratio). Each benchmark is
 * bench/<name>.ts exporting `main(args): Promise<void>`. Benchmarks never fail the build
 * because a machine was slow.
 */
const ALL = ['scan', 'injector', 'sidecar', 'audit']; // and 'pods', by name only: it needs the stack's node

interface BenchModule {
  main(args: string[]): Promise<void>;
}

async function run(): Promise<void> {
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.startsWith('-'));
  for (const name of names.length > 0 ? names : ALL) {
    let mod: BenchModule;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(`./${name}`) as BenchModule;
    } catch (err) {
      process.stderr.write(`bench ${name}: not available (${(err as Error).message.split('\n')[0]})\n`);
      continue;
    }
    process.stdout.write(`\n## ${name}\n\n`);
    await mod.main(args.filter((a) => a.startsWith('-')));
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
