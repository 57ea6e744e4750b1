import { leftovers, restrictedPod, type HostState } from '../../e2e/helpers/node';

const names = { dir: '/c/stack/node', bridge: 'sbnode0', network: 'secrets-broker-stack', socket: '/c/stack/node/containerd/containerd.sock' };
const clean: HostState = {
  mountTargets: ['/', '/proc', '/c/stack/nodes-other', '/c/stack'],
  links: ['lo', 'eth0', 'sbnode00'],
  iptablesRules: '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.88.0.0/16 -j CNI-other\nCOMMIT\n',
  cmdlines: ['/sbin/init', 'node jest', 'containerd --config /etc/containerd/config.toml'],
  paths: [],
};

describe('leftovers of the node after stack:down', () => {
  it('is empty for a host with only look-alike names', () => {
    expect(leftovers(clean, names)).toEqual([]);
  });

  it.each<[string, Partial<HostState>, string]>([
    ['a pod volume mount', { mountTargets: ['/c/stack/node/kubelet/pods/x/volumes/tmpfs'] }, 'mount /c/stack/node/kubelet/pods/x/volumes/tmpfs'],
    ['the node directory mounted itself', { mountTargets: ['/c/stack/node'] }, 'mount /c/stack/node'],
    ['the bridge', { links: ['sbnode0'] }, 'link sbnode0'],
    ['a CNI chain of the network', { iptablesRules: '-A CNI-1 -m comment --comment "name: \\"secrets-broker-stack\\" id: \\"x\\"" -j ACCEPT' }, 'iptables -A CNI-1'],
    ['the kubelet canary chain', { iptablesRules: ':KUBE-KUBELET-CANARY - [0:0]' }, 'iptables :KUBE-KUBELET-CANARY'],
    ['a jump to the kubelet firewall chain', { iptablesRules: '-A INPUT -j KUBE-FIREWALL' }, 'iptables -A INPUT -j KUBE-FIREWALL'],
    ['a shim on the node socket', { cmdlines: ['containerd-shim-runc-v2 -namespace k8s.io -address /c/stack/node/containerd/containerd.sock'] }, 'process containerd-shim'],
    ['the kubelet', { cmdlines: ['kubelet --root-dir /c/stack/node/kubelet'] }, 'process kubelet'],
    ['a path of the node that exists', { paths: ['/var/log/containers/p_ns_main-1.log'] }, 'path /var/log/containers/p_ns_main-1.log'],
  ])('names %s', (_what, extra, expected) => {
    const host = { ...clean, ...extra };
    const found = leftovers(host, names);
    expect(found).toHaveLength(1);
    expect(found[0]?.startsWith(expected)).toBe(true);
  });
});

describe('restrictedPod', () => {
  it('meets the restricted level: non-root, RuntimeDefault seccomp, no escalation, all capabilities dropped', () => {
    const pod = restrictedPod('p', 'ns', 'img:1', { args: ['--version'] }) as any;
    const c = pod.spec.containers[0];
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c).toMatchObject({ imagePullPolicy: 'Never', args: ['--version'] });
    expect(c.command).toBeUndefined();
  });
});
