/**
 * The injector's Kubernetes shapes are the generated kubernetes-types, used at compile
 * time only. The `@ts-expect-error` lines are checked by `npm run typecheck`: each must be
 * a compile error, so a shape that stopped catching a misspelt field fails the typecheck.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { Container, ContainerList, EnvVar, Pod, Probe, SecurityContext, Volume, VolumeMount } from '../../../src/inject/types';
import { REPO } from '../../helpers/markdown';
import { repoFiles } from '../../helpers/repo-files';

// Misspelt fields, one per shape the injector builds or reads.
const misspelt: unknown[] = [
  // @ts-expect-error volumeMount is not a Container field (volumeMounts is)
  { name: 'app', volumeMount: [] } satisfies Container,
  // @ts-expect-error mountpath is not a VolumeMount field (mountPath is)
  { name: 'data', mountpath: '/secrets' } satisfies VolumeMount,
  // @ts-expect-error emptydir is not a Volume field (emptyDir is)
  { name: 'data', emptydir: { medium: 'Memory' } } satisfies Volume,
  // @ts-expect-error valuefrom is not an EnvVar field (valueFrom is)
  { name: 'POD_NAME', valuefrom: { fieldRef: { fieldPath: 'metadata.name' } } } satisfies EnvVar,
  // @ts-expect-error runAsNonroot is not a SecurityContext field (runAsNonRoot is)
  { runAsNonroot: true } satisfies SecurityContext,
  // @ts-expect-error periodSecond is not a Probe field (periodSeconds is)
  { exec: { command: ['true'] }, periodSecond: 1 } satisfies Probe,
  // @ts-expect-error initcontainers is not a PodSpec field (initContainers is)
  { spec: { containers: [], initcontainers: [] } } satisfies Pod,
  // @ts-expect-error a Pod the injector works on has a spec (review.ts asPod proves it)
  { metadata: { name: 'app' } } satisfies Pod,
  // @ts-expect-error fields keep their types: runAsUser is a number
  { runAsUser: '1000' } satisfies SecurityContext,
  // @ts-expect-error a pod spec holds three lists of containers, no other
  'sidecarContainers' satisfies ContainerList,
];

describe('Kubernetes types', () => {
  it('the misspelt shapes above are only values at run time (the typecheck rejects each)', () => {
    expect(misspelt).toHaveLength(10);
  });

  it('the correctly spelt shapes compile', () => {
    const container: Container = {
      name: 'app',
      volumeMounts: [{ name: 'data', mountPath: '/secrets', readOnly: true }],
      env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      securityContext: { runAsNonRoot: true, runAsUser: 1000 },
      startupProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
    };
    const pod: Pod = { spec: { containers: [container], volumes: [{ name: 'data', emptyDir: { medium: 'Memory' } }] } };
    expect(pod.spec.containers[0]?.volumeMounts?.[0]?.mountPath).toBe('/secrets');
  });
});

const PACKAGE = 'kubernetes-types';

/** Imports, exports and requires of kubernetes-types that would exist at run time, as `file:line`. */
function runtimeImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const names = (spec: ts.Expression | undefined): boolean => spec !== undefined && ts.isStringLiteral(spec) && (spec.text === PACKAGE || spec.text.startsWith(`${PACKAGE}/`));
  const report = (node: ts.Node): void => {
    found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && names(node.moduleSpecifier) && !typeOnlyImport(node)) report(node);
    if (ts.isExportDeclaration(node) && names(node.moduleSpecifier) && !typeOnlyExport(node)) report(node);
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && names(node.moduleReference.expression) && !node.isTypeOnly) report(node);
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) && names(node.arguments[0])) report(node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function typeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import runs the module
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function typeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

describe('kubernetes-types is a compile-time dependency only', () => {
  it.each<[string, number, string]>([
    ['import type', 0, "import type { Pod } from 'kubernetes-types/core/v1';"],
    ['inline type specifiers', 0, "import { type Pod, type Container } from 'kubernetes-types/core/v1';"],
    ['export type', 0, "export type { Pod } from 'kubernetes-types/core/v1';"],
    ['a type query', 0, "let p: import('kubernetes-types/core/v1').Pod;"],
    ['a value import', 1, "import { Pod } from 'kubernetes-types/core/v1';"],
    ['one value specifier among types', 1, "import { type Pod, Container } from 'kubernetes-types/core/v1';"],
    ['a namespace import', 1, "import * as k8s from 'kubernetes-types/core/v1';"],
    ['a side-effect import', 1, "import 'kubernetes-types';"],
    ['a value re-export', 1, "export { Pod } from 'kubernetes-types/core/v1';"],
    ['a require', 1, "const k8s = require('kubernetes-types/core/v1');"],
    ['import =', 1, "import k8s = require('kubernetes-types/core/v1');"],
    ['a dynamic import', 1, "void import('kubernetes-types/core/v1');"],
    ['another package', 0, "import { Pod } from 'kubernetes-typesafe';"],
  ])('%s: %d run-time import(s)', (_label, expected, text) => {
    expect(runtimeImports('case.ts', text)).toHaveLength(expected);
  });

  it('no source that ships imports it at run time, and the injector does use it', () => {
    const files = repoFiles(['src', 'injector', 'sidecar']).filter((f) => f.endsWith('.ts'));
    const texts = files.map((f) => [f, readFileSync(join(REPO, f), 'utf8')] as const);
    expect(texts.flatMap(([f, text]) => runtimeImports(f, text))).toEqual([]);
    const users = texts.filter(([, text]) => text.includes(`'${PACKAGE}/`));
    expect(users.map(([f]) => f)).toContain('src/inject/types.ts');
    // What the compiler emits for them (as the build does: CommonJS) names the package nowhere.
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
    const emitted = users.map(([f, text]) => [f, ts.transpileModule(text, { compilerOptions }).outputText] as const);
    expect(emitted.filter(([, js]) => js.includes(PACKAGE)).map(([f]) => f)).toEqual([]);
  });

  it('is a dev dependency: the image installs production dependencies only', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies?: object; devDependencies?: object };
    expect(Object.keys(pkg.devDependencies ?? {})).toContain(PACKAGE);
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain(PACKAGE);
  });
});
