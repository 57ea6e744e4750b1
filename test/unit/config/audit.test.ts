import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createAuditWriter } from '../../../src/audit/setup';
import { parseAuditEnv } from '../../../src/config/audit';
import { ConfigError } from '../../../src/errors';
import { checkpointKeys, tempDir } from '../../helpers/audit-fixtures';

describe('audit settings', () => {
  it('defaults: stdout only, no checkpoints', () => {
    expect(parseAuditEnv({})).toEqual({ file: '', maxBytes: 10485760, keep: 5, checkpointKeyFile: '', checkpointEvery: 1000 });
  });

  it.each([
    { env: { AUDIT_FILE_KEEP: '0' }, problem: /AUDIT_FILE_KEEP/ },
    { env: { AUDIT_CHECKPOINT_EVERY: 'often' }, problem: /AUDIT_CHECKPOINT_EVERY/ },
    { env: { AUDIT_FILE_MAX_BYTES: '10' }, problem: /AUDIT_FILE_MAX_BYTES: at least 4096/ },
  ])('rejects $env', ({ env, problem }) => {
    expect(() => parseAuditEnv(env)).toThrow(ConfigError);
    expect(() => parseAuditEnv(env)).toThrow(problem);
  });

  it('builds a writer with a file and checkpoints signed by a mounted key', async () => {
    const dir = tempDir();
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, checkpointKeys().privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const s = parseAuditEnv({ AUDIT_FILE: join(dir, 'audit.log'), AUDIT_CHECKPOINT_KEY_FILE: keyFile, AUDIT_CHECKPOINT_EVERY: '2' });
    const w = await createAuditWriter(s, { source: 'injector', stdout: new PassThrough() });
    w.record({ event: 'admission.skip', outcome: 'success' });
    w.record({ event: 'admission.skip', outcome: 'success' });
    await w.close();
    expect(w.chainHead.seq).toBe(3);
    writeFileSync(keyFile, 'garbage');
    await expect(createAuditWriter(s, { source: 'injector', stdout: new PassThrough() })).rejects.toMatchObject({ code: 'AUDIT_KEY_INVALID' });
  });
});
