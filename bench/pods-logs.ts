/** Pure: what bench pods reads from the pods' logs. */

export type Side = 'ours' | 'peer';

/**
 * When the pod's last secret file was written, from the log of the container that wrote it
 * before the app started: our sidecar's "all secrets rendered" line, the init agent's
 * "(runner) rendered" line. Undefined when the log has no such line.
 */
export function renderedAt(side: Side, log: string): number | undefined {
  for (const line of log.split('\n').reverse()) {
    if (side === 'ours' && line.includes('"msg":"all secrets rendered"')) {
      const t = /"time":"([^"]+)"/.exec(line)?.[1];
      return t === undefined ? undefined : Date.parse(t);
    }
    // Vault Agent writes consul-template's "[INFO] (runner) rendered <template>" through its own logger.
    const agent = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\s.*\(runner\) rendered /.exec(line);
    if (side === 'peer' && agent) return Date.parse(agent[1]!);
  }
  return undefined;
}
