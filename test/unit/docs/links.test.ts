/** Every relative link in the README and docs reaches a file of the repository, and its anchor a heading there. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { readRepoFile, REPO } from '../../helpers/markdown';

const PAGES = ['README.md', 'test/fixtures/README.md', 'test/fixtures/pods/README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const headings = [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]!.trim().toLowerCase());
  return new Set(headings.map((h) => h.replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
}

function brokenLinks(page: string): string[] {
  const text = readRepoFile(page);
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
  return links.filter((link) => {
    const [path = '', anchor] = link.split('#');
    const target = path === '' ? page : normalize(join(dirname(page), path));
    if (!existsSync(join(REPO, target))) return true;
    return anchor !== undefined && target.endsWith('.md') && !anchors(readRepoFile(target)).has(anchor);
  });
}

describe('links in the documentation', () => {
  it('finds links to check', () => {
    expect(PAGES.flatMap((p) => [...readRepoFile(p).matchAll(/\]\(([^)\s]+)\)/g)]).length).toBeGreaterThan(10);
  });

  it.each(PAGES)('%s: every relative link and anchor resolves', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });
});
