/**
 * The sidecar's Vault token: log in with the pod's projected token (re-read at every
 * login: the kubelet rotates it), renew it, tell a revoked token from a policy denial,
 * revoke it on shutdown. No timers here: planNext() says what to do and when.
 */
import { BrokerError, TokenFileError, VaultError } from '../errors';
import type { VaultClient } from '../vault/client';
import { planToken, type TokenAction } from '../vault/lease';
import type { AuthInfo } from '../vault/types';
import type { AuditContext } from './audit-context';
import type { SidecarMetrics } from './metrics';

/** The projected token file could not be used (defined in src/errors.ts). */
export { TokenFileError };

export interface SessionDeps {
  client: Pick<VaultClient, 'login' | 'renewSelf' | 'lookupSelf' | 'revokeSelf'> & { token: string };
  authPath: string;
  role: string;
  readTokenFile: () => Promise<string>;
  audit: AuditContext;
  metrics: SidecarMetrics;
}

export class AuthSession {
  private auth: AuthInfo | undefined;
  /** TTL the login granted; a renewal that comes back shorter means the max TTL is near. */
  private requested = 0;
  /** Logins so far; leased secrets are fetched again after every re-login. */
  logins = 0;

  constructor(private readonly deps: SessionDeps) {}

  get loggedIn(): boolean {
    return this.auth !== undefined;
  }

  get accessor(): string | undefined {
    return this.auth?.accessor;
  }

  async login(): Promise<AuthInfo> {
    const path = `${this.deps.authPath}/login`;
    try {
      const jwt = await this.readJwt();
      const auth = await this.deps.client.login(this.deps.authPath, this.deps.role, jwt);
      this.set(auth);
      this.requested = auth.leaseDuration;
      this.logins += 1;
      this.deps.metrics.inc('logins');
      this.deps.audit.record({ event: 'auth.login', outcome: 'success', vault: { path, role: this.deps.role, accessor: auth.accessor, requestId: auth.requestId } });
      return auth;
    } catch (err) {
      this.deps.metrics.inc('logins', 'failure');
      this.deps.metrics.error(err instanceof VaultError ? err.kind : 'token-file');
      this.deps.audit.record({ event: 'auth.login', outcome: 'failure', vault: { path, role: this.deps.role }, error: messageOf(err) });
      throw err;
    }
  }

  async renew(): Promise<AuthInfo> {
    const accessor = this.auth?.accessor;
    try {
      const auth = await this.deps.client.renewSelf(this.requested || undefined);
      this.set(auth);
      this.deps.metrics.inc('token_renewals');
      this.deps.audit.record({ event: 'auth.renew', outcome: 'success', vault: { path: 'auth/token/renew-self', accessor: auth.accessor, requestId: auth.requestId } });
      return auth;
    } catch (err) {
      this.deps.metrics.inc('token_renewals', 'failure');
      if (err instanceof VaultError) this.deps.metrics.error(err.kind);
      this.deps.audit.record({ event: 'auth.renew', outcome: 'failure', vault: { path: 'auth/token/renew-self', ...(accessor && { accessor }) }, error: messageOf(err) });
      if (err instanceof VaultError && err.kind === 'forbidden') this.invalidate();
      throw err;
    }
  }

  /** After a 403 on a secret: is our token still good (policy denial) or gone (revoked, expired)? */
  async tokenStillValid(): Promise<boolean> {
    if (!this.auth) return false;
    try {
      await this.deps.client.lookupSelf();
      return true;
    } catch (err) {
      if (err instanceof VaultError && err.kind === 'forbidden') {
        this.invalidate();
        return false;
      }
      throw err;
    }
  }

  /** What to do next with the token and when (seconds), from the last login or renewal. */
  planNext(rand: number): { action: TokenAction; delaySeconds: number } {
    if (!this.auth) return { action: 'login', delaySeconds: 0 };
    return planToken({ ttl: this.auth.leaseDuration, renewable: this.auth.renewable, requested: this.requested }, rand);
  }

  async revoke(): Promise<void> {
    const accessor = this.auth?.accessor;
    if (!this.auth) return;
    try {
      await this.deps.client.revokeSelf();
      this.deps.audit.record({ event: 'auth.revoke', outcome: 'success', vault: { path: 'auth/token/revoke-self', ...(accessor && { accessor }) } });
    } catch (err) {
      this.deps.audit.record({ event: 'auth.revoke', outcome: 'failure', vault: { path: 'auth/token/revoke-self', ...(accessor && { accessor }) }, error: messageOf(err) });
      throw err;
    } finally {
      this.invalidate();
    }
  }

  private invalidate(): void {
    this.auth = undefined;
    this.deps.client.token = '';
  }

  private set(auth: AuthInfo): void {
    this.auth = auth;
    this.deps.client.token = auth.clientToken;
  }

  private async readJwt(): Promise<string> {
    let jwt: string;
    try {
      jwt = (await this.deps.readTokenFile()).trim();
    } catch (err) {
      throw new TokenFileError(`cannot read the service-account token file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (jwt === '') throw new TokenFileError('the service-account token file is empty');
    return jwt;
  }
}

/** Error text for logs and audit: our typed errors carry no values; anything else is reduced to its class. */
export function messageOf(err: unknown): string {
  if (err instanceof BrokerError) return err.message;
  if (err instanceof Error) return `unexpected ${err.name}${(err as NodeJS.ErrnoException).code ? ` (${(err as NodeJS.ErrnoException).code})` : ''}`;
  return 'unexpected error';
}
