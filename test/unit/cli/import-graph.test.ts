/** The CLI's modules form no import cycle, and only the process edge sets the process's exit code. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const SOURCE_DIRS = ['src', 'injector', 'sidecar'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every relative module a file names: import and export ... from (type-only too), require() and import(). */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

function importsOf(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((m) => m[1]!);
}

function graph(): Map<string, string[]> {
  const files = SOURCE_DIRS.flatMap((d) => tsFiles(join(root, d)));
  const known = new Set(files);
  const target = (from: string, spec: string): string | undefined =>
    [`${spec}.ts`, join(spec, 'index.ts')].map((s) => resolve(dirname(from), s)).find((f) => known.has(f));
  return new Map(files.map((f) => [f, importsOf(readFileSync(f, 'utf8')).flatMap((s) => target(f, s) ?? [])]));
}

/** The first cycle reachable from `starts`, as a list of files, or undefined. */
function findCycle(edges: Map<string, string[]>, starts: readonly string[]): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (f: string): string[] | undefined => {
    const at = path.indexOf(f);
    if (at >= 0) return [...path.slice(at), f];
    if (done.has(f)) return undefined;
    path.push(f);
    for (const next of edges.get(f) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(f);
    return undefined;
  };
  for (const s of starts) {
    const cycle = visit(s);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('import graph', () => {
  it.each([
    ["import { a } from './a';", ['./a']],
    ["import type { A } from '../a';", ['../a']],
    ["export { b } from './b';", ['./b']],
    ["import './side-effect';", ['./side-effect']],
    ["const m = require('./lazy') as typeof import('./lazy');", ['./lazy', './lazy']],
    ["const { x } = await import('../../x/main');", ['../../x/main']],
    ["import { Command } from 'commander';", []],
  ])('reads the modules of %s', (text, specs) => {
    expect(importsOf(text)).toEqual(specs);
  });

  it.each([
    ['a two-file cycle', { a: ['b'], b: ['a'] }, ['a', 'b', 'a']],
    ['a longer one', { a: ['b'], b: ['c'], c: ['b'] }, ['b', 'c', 'b']],
    ['a diamond is no cycle', { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }, undefined],
  ])('finds %s', (_what, edges, cycle) => {
    expect(findCycle(new Map(Object.entries(edges)), ['a'])).toEqual(cycle);
  });

  it('has no cycle among the modules the CLI reaches (src/cli and all it imports, type-only imports included)', () => {
    const edges = graph();
    const cli = [...edges.keys()].filter((f) => relative(root, f).startsWith(join('src', 'cli')));
    expect(cli.length).toBeGreaterThanOrEqual(6);
    expect(edges.get(join(root, 'src/cli/main.ts'))).toEqual(expect.arrayContaining([join(root, 'src/cli/exit.ts'), join(root, 'src/cli/scan.ts')]));
    expect(findCycle(edges, cli)?.map((f) => relative(root, f))).toBeUndefined();
  });

  it('sets process.exitCode only at the process edges (the CLI file, the start-up snapshot\'s main), and calls process.exit nowhere', () => {
    const setters = SOURCE_DIRS.flatMap((d) => tsFiles(join(root, d)))
      .filter((f) => /process\.exitCode\s*=(?!=)|process\.exit\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(setters.sort()).toEqual([join('src', 'cli', 'bin.ts'), join('src', 'start', 'sidecar-snapshot.ts')]);
  });
});
