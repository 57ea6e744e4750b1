/**
 * The entry of the sidecar's V8 start-up snapshot. scripts/start/bundle.js bundles it
 * into one file (built-ins only may be required while a snapshot is built) and the image
 * builds the blob with its own node (Dockerfile):
 *
 *   node --snapshot-blob sidecar.blob --build-snapshot sidecar-snapshot.js
 *
 * Building runs the module bodies of the sidecar's code and its dependencies (node-vault,
 * pino, envalid), then a `sidecar --once` against canned answers and a loopback exchange
 * (src/start/warm-run.ts), so a sidecar started with `node --snapshot-blob sidecar.blob
 * <cli> sidecar` begins with them loaded and the code of its start compiled. `node:http`
 * and `node:https` cannot be in a snapshot (their parser binding is not serializable): the
 * bundle loads them at their first use. The command line is the CLI's: `sidecar` and
 * `sidecar --once` run here, through the same sidecar command and error report as the CLI
 * (without building its argument parser); anything else, `--help` included, is handed to
 * the CLI file on disk.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { startupSnapshot } from 'node:v8';
import { reportFailure } from '../cli/main';
import { sidecar } from '../cli/sidecar';
import { IMAGE_CLI } from '../sidecar-env';
import { handledHere } from './route';
// Loaded while the snapshot is built; each is otherwise required at the first use.
import '../../sidecar/main';
import { loadNodeVault } from '../vault/node-vault';
import { warmSidecarStart } from './warm';
import { warmSidecarRun } from './warm-run';

loadNodeVault();
warmSidecarStart();
// The build runs the event loop until this is done; a rejection fails it (exit 1, no blob).
void warmSidecarRun();

function main(): void {
  const argv = process.argv.slice(2);
  if (!handledHere(argv)) {
    const cli = resolve(process.argv[1] ?? IMAGE_CLI);
    createRequire(cli)(cli);
    return;
  }
  const io = { env: process.env, stdout: process.stdout, stderr: process.stderr };
  void sidecar({ once: argv[1] === '--once' }, io)
    .catch((err: unknown) => reportFailure(err, io))
    .then((code) => {
      process.exitCode = code;
    });
}

if (!startupSnapshot.isBuildingSnapshot()) throw new Error('this file is the entry of a start-up snapshot: node --snapshot-blob <blob> --build-snapshot <it>');
startupSnapshot.setDeserializeMainFunction(main);
