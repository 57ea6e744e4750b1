/**
 * Documentation values that sit where a credential would: example hosts and sample
 * passwords in connection strings, sample Authorization headers. Pure.
 */
import { looksWritten, percentDecoded } from './generated';
import { isPlaceholder } from './values';

/** Passwords that documentation writes (`user:pass@`, `foo:bar@`, `abc:xyz@`, `guest:guest@`). */
const SAMPLE_PASSWORDS = new Set([
  'pass', 'password', 'passwd', 'pwd', 'pw', 'secret', 'bar', 'baz', 'xyz', 'abc', 'guest', 'test', 'admin', 'root',
  'pa55word', 'p@ss', 'p@ssword', 'mypassword', 'mysecret', 'yourpassword', 'hunter2', 'letmein', 'qwerty',
]);

/** Hosts reserved for documentation or that never leave the machine (RFC 2606, RFC 6761). */
export function isExampleHost(host: string): boolean {
  const bare = host.startsWith('[') ? host.slice(1, host.indexOf(']') === -1 ? undefined : host.indexOf(']')) : host.split(':')[0] ?? '';
  const h = bare.toLowerCase().replace(/\.$/, '');
  if (['localhost', 'host', 'hostname', 'example', '127.0.0.1', '0.0.0.0', '::1', 'your-host', 'server'].includes(h)) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  const labels = h.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (['test', 'example', 'invalid', 'localhost'].includes(tld)) return true;
  return labels.includes('example');
}

/** A connection-string password worth reporting: not a placeholder, not a sample, not to an example host. */
export function connectionPasswordOk(password: string, host: string | undefined): boolean {
  const p = percentDecoded(password);
  if (isPlaceholder(p) || /^[*x%]+$/i.test(password) || SAMPLE_PASSWORDS.has(p.toLowerCase())) return false;
  return host === undefined || !isExampleHost(host);
}

/**
 * An Authorization header credential worth reporting: Basic must decode to `user:password`
 * with a real password; a bearer token must look generated (`Bearer secret-token` does not).
 */
export function headerCredentialOk(scheme: string | undefined, credential: string): boolean {
  if (isPlaceholder(credential)) return false;
  if (scheme?.toLowerCase() === 'basic') {
    const text = Buffer.from(credential, 'base64').toString('latin1');
    const i = text.indexOf(':');
    const password = text.slice(i + 1);
    return i > 0 && /^[\x20-\x7e]+$/.test(text) && !isPlaceholder(password) && !SAMPLE_PASSWORDS.has(password.toLowerCase());
  }
  return !looksWritten(credential);
}
