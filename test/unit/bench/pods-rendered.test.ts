/** bench pods splits apply-to-app-running at the moment the last secret file was written, read from each side's log. */
import { renderedAt } from '../../../bench/pods-logs';

describe('renderedAt', () => {
  it.each<[string, 'ours' | 'peer', string, number | undefined]>([
    ['our sidecar\'s line', 'ours', '{"level":"info","time":"2026-12-01T15:52:39.607Z","name":"secrets-broker-sidecar","secrets":1,"msg":"all secrets rendered"}', Date.parse('2026-12-01T15:52:39.607Z')],
    ['our audit records and start line only', 'ours', '{"level":"info","time":"2026-12-01T15:52:39.562Z","msg":"sidecar started"}\n{"ts":"2026-12-01T15:52:39.606Z","event":"secret.write"}', undefined],
    ['Vault Agent\'s render line', 'peer', '2026-12-01T16:40:00.118Z [INFO]  agent: (runner) creating new runner (dry: false, once: false)\n2026-12-01T16:40:00.123Z [INFO]  agent: (runner) rendered "(dynamic)" => "/vault/secrets/config"\n2026-12-01T16:40:00.125Z [INFO]  agent: (runner) stopping', Date.parse('2026-12-01T16:40:00.123Z')],
    ['Vault Agent without the logger\'s name', 'peer', '2026-12-01T16:40:00.123Z [INFO] (runner) rendered "(dynamic)" => "/vault/secrets/config"', Date.parse('2026-12-01T16:40:00.123Z')],
    ['Vault Agent\'s debug "rendering" line is not the write', 'peer', '2026-12-01T16:40:00.120Z [DEBUG] agent: (runner) rendering "(dynamic)" => "/vault/secrets/config"', undefined],
    ['a peer line read as ours', 'ours', '2026-12-01T16:40:00.123Z [INFO]  agent: (runner) rendered "(dynamic)" => "/vault/secrets/config"', undefined],
    ['an empty log', 'peer', '', undefined],
  ])('%s', (_what, side, log, expected) => {
    expect(renderedAt(side, log)).toBe(expected);
  });
});
