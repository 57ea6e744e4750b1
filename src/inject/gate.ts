/**
 * The native sidecar's start gate (pure): an exec postStart hook. For a restartable init
 * container the kubelet runs the postStart hook inside the call that starts the container
 * and starts the next container only after the hook has returned
 * (pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer), so the app starts
 * after the hook, which returns once every secret file is written. A failed hook is a
 * FailedPostStartHook event and the sidecar container is killed and restarted with the
 * kubelet's backoff.
 *
 * The hook is bash (Debian's, in the image) with builtins only, so a pod start costs one
 * bash process (and one fork for the pipe it sleeps on), never a Node.js start:
 *
 * 1. Connect to 127.0.0.1:$SIDECAR_HEALTH_PORT through bash's /dev/tcp, every 10 ms until
 *    the sidecar listens (a refused connection is immediate), at most GATE_CONNECT_STEPS times.
 * 2. Send one `GET /readyz?wait=<s>`: the sidecar answers 200 the moment the last secret is
 *    rendered, 503 when the wait ends. No polling: the answer is pushed.
 * 3. Exit 0 on 200. Anything else (503, or the connection closed because the sidecar
 *    exited) exits 1, saying why on stderr and in the termination message, so that the
 *    restarted container's last state tells the user where to look.
 *
 * An httpGet hook cannot do this: the kubelet sends it to the pod IP (the health server
 * listens on 127.0.0.1 only), and a hook fired before Node.js listens fails at once
 * (connection refused), killing the sidecar.
 */

/** How long the app's start may wait for the secrets before the sidecar is restarted. */
export const GATE_TIMEOUT_SECONDS = 60;
/** Connection attempts while the sidecar starts, 10 ms apart: GATE_TIMEOUT_SECONDS of them at most. */
export const GATE_CONNECT_STEPS = GATE_TIMEOUT_SECONDS * 100;
export const GATE_SHELL = '/bin/bash';

/** The hook's script; `$SIDECAR_HEALTH_PORT` comes from the container's environment. */
export function gateScript(timeoutSeconds = GATE_TIMEOUT_SECONDS, connectSteps = timeoutSeconds * 100): string {
  return [
    'fail() { echo "secrets-broker gate: $1" >&2; [[ -w /dev/termination-log ]] && echo "secrets-broker: $1; the log says why: kubectl logs --previous" >/dev/termination-log; exit 1; }',
    'exec 9<> <(:)',
    'port=${SIDECAR_HEALTH_PORT:-8099} n=0',
    `until { exec 3<>/dev/tcp/127.0.0.1/$port; } 2>/dev/null; do`,
    `  (( ++n < ${connectSteps} )) || fail "nothing listens on 127.0.0.1:$port after $n attempts"`,
    '  read -r -t 0.01 -u 9',
    'done',
    `printf 'GET /readyz?wait=${timeoutSeconds} HTTP/1.0\\r\\n\\r\\n' >&3`,
    `IFS=' ' read -r -t ${timeoutSeconds + 5} _ status _ <&3`,
    `[[ $status == 200 ]] || fail "secrets not rendered within ${timeoutSeconds} s (\${status:-the sidecar exited})"`,
    'echo "secrets-broker gate: ready after $((n + 1)) connection attempt(s)"',
  ].join('\n');
}

/** The container's postStart hook. */
export function gateCommand(): string[] {
  return [GATE_SHELL, '-c', gateScript()];
}
