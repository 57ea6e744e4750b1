/**
 * The sidecar's decisions without its timers: run one step of a source (fetch, poll,
 * renew) or of the token (login, renew) and say what to do next and when. The agent
 * (sidecar/agent.ts) owns the timers, signals and the health server.
 */
import { RenderError, VaultError } from '../errors';
import { backoffDelay, boundedRetry, DEFAULT_BACKOFF, type TokenAction } from '../vault/lease';
import type { PodSecretsSpec } from '../spec';
import type { Logger } from '../log';
import type { AuditContext } from './audit-context';
import type { SidecarMetrics } from './metrics';
import { renderSource, type RenderDeps } from './refresh';
import { messageOf, type AuthSession } from './session';
import { expiresIn, fetchSource, groupSources, planSource, pollSource, renewSource, type SourceAction, type SourceDeps, type SourceState } from './source';

export interface ControllerDeps {
  spec: PodSecretsSpec;
  session: AuthSession;
  source: SourceDeps;
  render: Omit<RenderDeps, 'audit' | 'metrics'>;
  audit: AuditContext;
  metrics: SidecarMetrics;
  log: Logger;
  staleAfterSeconds: number;
  rand: () => number;
  now: () => number;
  revokeLease: (leaseId: string) => Promise<void>;
}

export interface Step<A> {
  action: A;
  delaySeconds: number;
}

export interface SourceStep extends Step<SourceAction> {
  /** File contents changed (the app should be notified). */
  changed: boolean;
  /** Our token is gone: log in again before retrying. */
  relogin: boolean;
  ok: boolean;
}

export class Controller {
  readonly sources: SourceState[];
  private readonly dirty = new Map<SourceState, Set<string>>();
  private tokenAttempt = 0;

  constructor(private readonly d: ControllerDeps) {
    this.sources = groupSources(d.spec.secrets);
  }

  /** Log in (or renew) now; resolves to the next token step. Never throws. */
  async tokenStep(action: TokenAction): Promise<Step<TokenAction> & { ok: boolean; relogged: boolean }> {
    const { session, log } = this.d;
    try {
      if (action === 'renew' && session.loggedIn) await session.renew();
      else await session.login();
      this.tokenAttempt = 0;
      return { ...session.planNext(this.d.rand()), ok: true, relogged: action !== 'renew' };
    } catch (err) {
      log.warn({ err: messageOf(err), action, kind: err instanceof VaultError ? err.kind : undefined }, 'vault token step failed');
      // A renewal refused because the token is gone, or any login failure: log in again after backoff.
      const next: TokenAction = session.loggedIn && action === 'renew' ? 'renew' : 'login';
      return { action: next, delaySeconds: backoffDelay(this.tokenAttempt++, this.d.rand(), DEFAULT_BACKOFF), ok: false, relogged: false };
    }
  }

  /** One step for one source. Never throws. */
  async sourceStep(s: SourceState, action: SourceAction): Promise<SourceStep> {
    const dirty = this.dirty.get(s) ?? new Set(s.specs.map((x) => x.name));
    this.dirty.set(s, dirty);
    try {
      const fn = action === 'fetch' ? fetchSource : action === 'poll' ? pollSource : renewSource;
      if (await fn(s, this.d.source)) s.specs.forEach((x) => dirty.add(x.name));
      const out = await renderSource(s, dirty, { ...this.d.render, audit: this.d.audit, metrics: this.d.metrics });
      if (out.failed.length > 0) return this.failed(s, action, out.failed.map((f) => `${f.name}: ${f.error}`).join('; '), out.changed.length > 0);
      this.succeeded(s);
      return { ...planSource(s, this.d.spec.rotateIntervalSeconds, this.d.now(), this.d.rand()), changed: out.changed.length > 0, relogin: false, ok: true };
    } catch (err) {
      return this.onError(s, action, err);
    }
  }

  /** Every secret rendered at least once, and none failing for longer than the staleness limit. */
  ready(): boolean {
    const now = this.d.now();
    return this.sources.every((s) => s.rendered.size === s.specs.length && !(s.failingSince !== undefined && now - s.failingSince > this.d.staleAfterSeconds * 1000));
  }

  /** Leases fetched under an older token may die with it: fetch them again. */
  leasedUnderOldToken(): SourceState[] {
    const current = this.d.session.logins;
    return this.sources.filter((s) => s.lease !== undefined && s.lease.login < current);
  }

  /** Best effort: revoke every lease we hold, then the token (which revokes its children too). */
  async revokeAll(): Promise<void> {
    for (const s of this.sources) {
      const lease = s.lease;
      if (!lease) continue;
      const leaseIdHmac = await this.d.audit.leaseHmac(lease.id);
      const vault = { path: s.plan?.dataPath ?? s.path, ...(leaseIdHmac && { leaseIdHmac }) };
      try {
        await this.d.revokeLease(lease.id);
        s.lease = undefined;
        this.d.audit.record({ event: 'auth.revoke', outcome: 'success', secret: s.specs[0]?.name, vault });
      } catch (err) {
        this.d.audit.record({ event: 'auth.revoke', outcome: 'failure', secret: s.specs[0]?.name, vault, error: messageOf(err) });
      }
    }
    await this.d.session.revoke();
  }

  private succeeded(s: SourceState): void {
    s.attempt = 0;
    s.failingSince = undefined;
    s.lastError = undefined;
    for (const spec of s.specs) this.d.metrics.lastSuccess.set(spec.name, this.d.now());
  }

  private failed(s: SourceState, action: SourceAction, error: string, changed: boolean, relogin = false): SourceStep {
    s.failingSince ??= this.d.now();
    s.lastError = error;
    this.d.log.warn({ path: s.path.split('?')[0], secrets: s.specs.map((x) => x.name), error, attempt: s.attempt }, 'secret refresh failed');
    const left = expiresIn(s, this.d.now());
    const next: SourceAction = action === 'renew' && left <= 0 ? 'fetch' : action;
    const cap = Math.max(DEFAULT_BACKOFF.baseSeconds, Math.min(DEFAULT_BACKOFF.capSeconds, this.d.spec.rotateIntervalSeconds));
    const delay = relogin ? 0 : boundedRetry(backoffDelay(s.attempt++, this.d.rand(), { ...DEFAULT_BACKOFF, capSeconds: cap }), left);
    return { action: next, delaySeconds: delay, changed, relogin, ok: false };
  }

  private async onError(s: SourceState, action: SourceAction, err: unknown): Promise<SourceStep> {
    const error = messageOf(err);
    if (!(err instanceof VaultError)) this.d.metrics.error(err instanceof RenderError ? 'render' : 'internal');
    for (const spec of s.specs) this.d.audit.record({ event: 'secret.error', outcome: 'failure', secret: spec.name, file: spec.file, vault: { path: s.plan?.dataPath ?? s.path.split('?')[0] }, error });
    if (err instanceof VaultError) {
      this.d.metrics.error(err.kind);
      if (err.kind === 'forbidden') return this.onForbidden(s, action, error);
    }
    return this.failed(s, action, error, false);
  }

  /** 403: a revoked token means log in again; a policy denial must not cause a login loop. */
  private async onForbidden(s: SourceState, action: SourceAction, error: string): Promise<SourceStep> {
    let valid: boolean;
    try {
      valid = await this.d.session.tokenStillValid();
    } catch {
      return this.failed(s, action, error, false);
    }
    if (!valid) return this.failed(s, action === 'renew' ? 'fetch' : action, error, false, true);
    if (action === 'renew' && s.lease) {
      s.lease.renewable = false; // no renew capability: fetch new credentials before this lease ends
      return { ...planSource(s, this.d.spec.rotateIntervalSeconds, this.d.now(), this.d.rand()), changed: false, relogin: false, ok: false };
    }
    return this.failed(s, action, `${error} (policy denies it; not logging in again)`, false);
  }
}
