import { IMAGE_START_SNAPSHOT, sidecarLaunch } from '../../src/sidecar-env';

describe('sidecarLaunch: node flags and environment of the sidecar process', () => {
  it.each<[string, string | undefined, string | undefined, string[], Record<string, string>]>([
    ['no CA, no snapshot', undefined, undefined, [], {}],
    ['an empty CA path is none', '', '', [], {}],
    ['an operator CA', '/ca/ca.pem', undefined, ['--use-openssl-ca'], { SSL_CERT_FILE: '/ca/ca.pem', SSL_CERT_DIR: '/nonexistent' }],
    ['the start-up snapshot', undefined, IMAGE_START_SNAPSHOT, ['--snapshot-blob', IMAGE_START_SNAPSHOT], {}],
    ['both: the snapshot first', '/ca/ca.pem', IMAGE_START_SNAPSHOT, ['--snapshot-blob', IMAGE_START_SNAPSHOT, '--use-openssl-ca'], { SSL_CERT_FILE: '/ca/ca.pem', SSL_CERT_DIR: '/nonexistent' }],
  ])('%s', (_what, ca, snapshot, flags, env) => expect(sidecarLaunch(ca, snapshot)).toEqual({ nodeFlags: flags, env }));
});
