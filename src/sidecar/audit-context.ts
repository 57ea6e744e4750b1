/**
 * Adds the pod identity to every audit entry and computes `leaseIdHmac` through Vault's
 * `sys/audit-hash/<device>` when a device is configured (otherwise the field is omitted:
 * a lease id never appears in plain text).
 */
import type { AuditEntry, PodIdentity } from '../audit/record';
import type { AuditSink } from '../audit/writer';
import { VaultError } from '../errors';
import type { VaultClient } from '../vault/client';

export class AuditContext {
  private readonly hmacs = new Map<string, string>();
  /** Set once Vault refuses sys/audit-hash: not asked again (policy, or no such device). */
  private hashUnavailable = false;

  constructor(
    private readonly sink: AuditSink,
    private readonly pod: PodIdentity,
    private readonly hashDevice: string | undefined,
    private readonly client: Pick<VaultClient, 'auditHash'>,
  ) {}

  record(entry: Omit<AuditEntry, 'pod'>): void {
    this.sink.record({ ...entry, pod: this.pod });
  }

  /** HMAC of a lease id as Vault's audit log shows it, or undefined (no device, or hashing failed). */
  async leaseHmac(leaseId: string): Promise<string | undefined> {
    if (!leaseId || !this.hashDevice || this.hashUnavailable) return undefined;
    const known = this.hmacs.get(leaseId);
    if (known) return known;
    try {
      const hash = await this.client.auditHash(this.hashDevice, leaseId);
      this.hmacs.set(leaseId, hash);
      return hash;
    } catch (err) {
      if (err instanceof VaultError && !err.transient) this.hashUnavailable = true;
      return undefined;
    }
  }

  forget(leaseId: string): void {
    this.hmacs.delete(leaseId);
  }

  flush(): Promise<void> {
    return this.sink.flush();
  }
}
