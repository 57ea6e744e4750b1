/** The command lines the start-up snapshot runs itself: the injector's (`sidecar`) and `sidecar --once`; the CLI file runs the rest. */
export function handledHere(argv: readonly string[]): boolean {
  return argv[0] === 'sidecar' && (argv.length === 1 || (argv.length === 2 && argv[1] === '--once'));
}
