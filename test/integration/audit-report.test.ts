/** `audit report --html` rendered in headless Chromium (Debian's package, from `npm run stack:build`; never downloaded). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { chromium, type Browser } from 'playwright-core';
import type { AuditEntry } from '../../src/audit/record';
import { esc } from '../../src/audit/report';
import { runCli } from '../../src/cli/main';
import { podEntries, tempDir, writeLines, writeTrail } from '../helpers/audit-fixtures';
import { findChromium } from '../helpers/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';

jest.setTimeout(60_000);

function entries(): AuditEntry[] {
  const evil = { namespace: 'shop', name: HOSTILE };
  return [
    ...podEntries('shop', 'web-1', { version: 3 }),
    ...podEntries('pay', 'api-1', { role: 'payments', fail: true }),
    { event: 'secret.error', outcome: 'failure', pod: evil, secret: 'db', vault: { path: 'secret/data/app/db' }, error: `denied "${HOSTILE}"` },
    { event: 'secret.rotate', outcome: 'success', pod: { namespace: 'shop', name: 'web-1' }, secret: 'db', vault: { path: 'secret/data/app/db', version: 4 } },
  ];
}

async function report(): Promise<{ html: string; out: string }> {
  const dir = tempDir();
  const file = writeTrail(dir, 'audit.log', await writeLines(entries()));
  const html = join(dir, 'report.html');
  const stdout = new PassThrough();
  const code = await runCli(['audit', 'report', '--html', html, file], { env: {}, stdout, stderr: new PassThrough() });
  expect(code).toBe(0);
  return { html, out: (stdout.read() as Buffer).toString() };
}

describe('audit report', () => {
  it.each([
    ['<script>', '&#60;script&#62;'],
    ['a"b\'c`d&e', 'a&#34;b&#39;c&#96;d&#38;e'],
  ])('escapes %j', (raw, escaped) => {
    expect(esc(raw)).toBe(escaped);
  });

  it('is one self-contained page: no external reference, a CSP, every value escaped', async () => {
    const { html, out } = await report();
    expect(out).toMatch(/wrote .*report.html: 7 records/);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toMatch(/<(script|img|link|iframe|object|embed)\b|https?:\/\/|@import|url\(/i);
    expect(page).toContain("default-src 'none'");
    expect(page).toContain('&#60;script&#62;window.pwned=1');
  });

  // Never skipped: without Chromium this fails, saying how to install it.
  describe('in headless Chromium', () => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      const found = findChromium();
      if ('missing' in found) throw new Error(found.missing);
      browser = await chromium.launch({ executablePath: found.path, args: ARGS });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('renders the counts, the failures highlighted, and timelines per secret and per pod; hostile names stay text', async () => {
      const { html } = await report();
      if (!browser) throw new Error('Chromium did not start');
      const page = await browser.newPage();
      await page.goto(`file://${html}`);
      const count = (id: string) => page.locator(`[data-count="${id}"] dd`).innerText();
      expect(await count('records')).toBe('7');
      expect(await count('failures')).toBe('2');
      expect(await count('pods')).toBe('3');
      expect(await count('secrets')).toBe('1');
      const failures = page.locator('#failures tr.fail');
      expect(await failures.count()).toBe(2);
      expect(await failures.nth(1).innerText()).toContain(HOSTILE);
      const bg = await failures.first().locator('td').first().evaluate((td) => (globalThis as any).getComputedStyle(td).backgroundColor);
      expect(bg).toBe('rgb(253, 232, 232)');
      expect(await page.locator('#failures-by-namespace').innerText()).toMatch(/pay\s+1[\s\S]*shop\s+1/);
      const secret = page.locator('#by-secret details[data-secret="secret/data/app/db"]');
      expect(await secret.locator('summary').innerText()).toMatch(/secret\/data\/app\/db\s+5 records\s+2 failed/);
      expect(await page.locator('#by-pod details summary .key').allInnerTexts()).toEqual([`pay/api-1`, `shop/${HOSTILE}`, 'shop/web-1']);
      expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('script, img').count()).toBe(0);
      await page.close();
    });
  });
});
