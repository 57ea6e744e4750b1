/**
 * The stack's node (SB_NODE=1) for its tests: a restricted-compliant pod manifest, and what a
 * node left behind on the host after `npm run stack:down`, decided from the host's state as
 * text (mount table, links, iptables rules, process command lines) apart from reading it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** The names a node makes things under (its env file's SB_NODE_* settings). */
export interface NodeNames {
  dir: string;
  bridge: string;
  network: string;
  socket: string;
}

/** The host's state, as text, where a node's things show. */
export interface HostState {
  mountTargets: string[];
  links: string[];
  iptablesRules: string;
  cmdlines: string[];
  /** Paths of the node's that exist (the node directory, and its files at fixed host paths). */
  paths: string[];
}

const KUBELET_CHAINS = ['KUBE-KUBELET-CANARY', 'KUBE-IPTABLES-HINT', 'KUBE-FIREWALL'];

/** Everything of the node still on the host, one line each; empty when down removed it all. */
export function leftovers(host: HostState, names: NodeNames): string[] {
  const under = (p: string): boolean => p === names.dir || p.startsWith(`${names.dir}/`);
  return [
    ...host.mountTargets.filter(under).map((m) => `mount ${m}`),
    ...host.links.filter((l) => l === names.bridge).map((l) => `link ${l}`),
    ...host.iptablesRules
      .split('\n')
      .filter((r) => r.includes(names.network) || KUBELET_CHAINS.some((c) => r.includes(c)))
      .map((r) => `iptables ${r}`),
    ...host.cmdlines.filter((c) => c.includes(names.dir) || c.includes(names.socket)).map((c) => `process ${c}`),
    ...host.paths.map((p) => `path ${p}`),
  ];
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** Reads the host's state (mount table, links, iptables and ip6tables rules, processes). */
export function readHost(names: NodeNames): HostState {
  const mountTargets = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4] ?? '');
  const links = sh('ip', ['-o', 'link', 'show'])
    .split('\n')
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter(Boolean);
  const cmdlines: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      cmdlines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim());
    } catch {
      // the process ended while we looked
    }
  }
  const inDir = (d: string, keep: (f: string) => boolean): string[] =>
    existsSync(d) ? readdirSync(d).map((f) => join(d, f)).filter(keep) : [];
  const cniResults = ['/var/lib/cni/results', '/var/lib/cni/cache/results'].flatMap((d) =>
    inDir(d, (f) => f.startsWith(join(d, `${names.network}-`))),
  );
  // The kubelet links every container's log here, into its pod-logs directory.
  const logLinks = inDir('/var/log/containers', (f) => lstatSync(f).isSymbolicLink() && readlinkSync(f).startsWith(`${names.dir}/`));
  const lexists = (p: string): boolean => {
    try {
      lstatSync(p);
      return true;
    } catch {
      return false;
    }
  };
  return {
    mountTargets,
    links,
    iptablesRules: sh('iptables-save', []) + sh('ip6tables-save', []),
    cmdlines: cmdlines.filter(Boolean),
    paths: [names.dir, '/var/lib/kubelet/device-plugins/kubelet.sock', ...cniResults, ...logLinks].filter(lexists),
  };
}

export interface PodRun {
  command?: string[];
  args?: string[];
  /** ConfigMap name to mount read-only at /config. */
  configMap?: string;
}

/** A pod that passes PodSecurity's restricted level and runs `image` once. */
export function restrictedPod(name: string, namespace: string, image: string, run: PodRun): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'main',
          image,
          imagePullPolicy: 'Never',
          ...(run.command ? { command: run.command } : {}),
          ...(run.args ? { args: run.args } : {}),
          ...(run.configMap ? { volumeMounts: [{ name: 'config', mountPath: '/config', readOnly: true }] } : {}),
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          // A small request: the node has two cores, and a burst of pods must fit.
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi', cpu: '500m' } },
        },
      ],
      ...(run.configMap ? { volumes: [{ name: 'config', configMap: { name: run.configMap } }] } : {}),
    },
  };
}
