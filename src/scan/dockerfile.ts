/**
 * Dockerfile checks (pure): ENV and ARG with secret values or defaults, COPY/ADD of key
 * and credentials files, and credentials on RUN lines, each with advice on the safe form.
 */
import { matchText, withoutOverlaps, type RawMatch } from './match';
import { secretNameStrength } from './names';
import { isGenericSecretValue, isHashLike, isPlaceholder, isReferenceLike } from './values';

/** Advice attached to every Dockerfile finding. */
export const DOCKERFILE_ADVICE =
  'Do not bake secrets into the image: use a build secret (RUN --mount=type=secret,id=NAME,env=NAME ... with docker build --secret id=NAME) for build time, and deliver runtime secrets with the secrets-broker sidecar (secrets-broker.io/secret-<name> annotations).';

/** File names that hold keys or credentials and must not be copied into an image. */
export const SECRET_FILE =
  /^(?:\.env(?:\..+)?|.*\.pem|.*\.key|id_(?:rsa|dsa|ecdsa|ed25519)|\.npmrc|\.pypirc|\.netrc|\.git-credentials|credentials(?:\.json)?|.*\.p12|.*\.pfx|.*\.jks|.*\.keystore|config\.json|service-account.*\.json|.*\.kdbx)$/;

const SOURCE_EXT = /\.(?:[cm]?[jt]sx?|go|py|rb|java|rs|md|txt|json|ya?ml|sh)$/i;

/** Is `name` the base name of a Dockerfile (Dockerfile, Dockerfile.prod, Containerfile, app.dockerfile), not a source file named after one? */
export function isDockerfileName(name: string): boolean {
  if (SOURCE_EXT.test(name)) return false;
  return /^(?:Dockerfile|Containerfile|dockerfile)(?:[.-][\w.-]+)?$/.test(name) || /\.(?:dockerfile|containerfile)$/i.test(name);
}

interface Instruction {
  keyword: string;
  args: string;
  /** Offset of `args` in the whole text. */
  offset: number;
}

/** Where the line from `i` ends: the next line terminator (as the `m` flag's `$` sees them), or the end. */
function lineEnd(text: string, i: number): number {
  let j = i;
  for (; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) break;
  }
  return j;
}
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isLetter = (c: string | undefined): boolean => c !== undefined && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));

/** `KEYWORD args` on one line from `start` to `end`: a hand-written scan, one pass over the line. */
function instruction(text: string, start: number, end: number): Instruction | undefined {
  let i = start;
  while (i < end && isBlank(text[i])) i++;
  const k = i;
  while (i < end && isLetter(text[i])) i++;
  if (i === k || i === end || !isBlank(text[i])) return undefined;
  const keyword = text.slice(k, i).toUpperCase();
  while (i < end && isBlank(text[i])) i++;
  return { keyword, args: text.slice(i, end), offset: i };
}

/** Logical instructions: continuation lines joined (same length, so offsets stay true), comments dropped. */
export function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, (m) => ' '.repeat(m.length));
  const out: Instruction[] = [];
  let start = 0;
  while (start <= joined.length) {
    const end = lineEnd(joined, start);
    const ins = instruction(joined, start, end);
    if (ins) out.push(ins);
    start = end + 1;
  }
  return out;
}

interface Pair {
  name: string;
  value: string | undefined;
  /** Offset of the value (or the name when there is none) within the args. */
  at: number;
}

function pairs(args: string): Pair[] {
  const re = /([A-Za-z_][A-Za-z0-9_.-]{0,255})(?:=("(?:[^"\\]|\\.){0,4096}"|'[^']{0,4096}'|\S{0,4096}))?/g;
  if (!/^\S+=/.test(args)) {
    const m = /^(\S+)(?:\s+(.+))?$/.exec(args.trim());
    const name = m?.[1] ?? '';
    const value = m?.[2]?.trim();
    return [{ name, value, at: value === undefined ? 0 : args.indexOf(value, name.length) }];
  }
  const out: Pair[] = [];
  for (let m = re.exec(args); m !== null; m = re.exec(args)) {
    const raw = m[2];
    const value = raw?.replace(/^(["'])(.*)\1$/, '$2');
    out.push({ name: m[1] ?? '', value, at: raw === undefined ? m.index : m.index + m[0].length - raw.length + (raw === value ? 0 : 1) });
  }
  return out;
}

function secretValue(name: string, value: string): boolean {
  const strength = secretNameStrength(name);
  if (strength === 'none') return false;
  if (strength === 'weak') return isGenericSecretValue(value);
  return value.length >= 4 && !isPlaceholder(value) && !isHashLike(value) && !isReferenceLike(value);
}

const TITLES: Record<string, string> = {
  'dockerfile-secret-env': 'Dockerfile ENV sets a secret literally',
  'dockerfile-secret-arg': 'Dockerfile ARG gives a secret a default value',
  'dockerfile-secret-build-arg': 'Secret passed as a build argument (kept in image history)',
  'dockerfile-copy-secret-file': 'Dockerfile COPY/ADD of a key or credentials file',
  'dockerfile-run-credential': 'Credential on a Dockerfile RUN line',
};

function hit(ruleId: string, index: number, secret: string, label?: string): RawMatch {
  const severity = ruleId === 'dockerfile-secret-build-arg' ? 'medium' : 'high';
  const m: RawMatch = { ruleId, title: TITLES[ruleId] ?? ruleId, severity, index, secret, advice: DOCKERFILE_ADVICE };
  if (label !== undefined) m.label = label;
  return m;
}

function envOrArg(ins: Instruction): RawMatch[] {
  const out: RawMatch[] = [];
  for (const p of pairs(ins.args)) {
    const at = ins.offset + p.at;
    if (p.value !== undefined && p.value !== '' && secretValue(p.name, p.value)) {
      out.push(hit(ins.keyword === 'ENV' ? 'dockerfile-secret-env' : 'dockerfile-secret-arg', at, p.value));
    } else if (ins.keyword === 'ARG' && p.value === undefined && secretNameStrength(p.name) === 'strong') {
      out.push(hit('dockerfile-secret-build-arg', at, `ARG ${p.name}`, p.name));
    }
  }
  return out;
}

function copyOrAdd(ins: Instruction): RawMatch[] {
  const words = ins.args.split(/\s+/).filter((w) => w !== '' && !w.startsWith('--'));
  return words.slice(0, -1).flatMap((src) => {
    const clean = src.replace(/^\[?"?|"?,?\]?$/g, '');
    const base = clean.split('/').filter((s) => s !== '').pop() ?? '';
    return SECRET_FILE.test(base) ? [hit('dockerfile-copy-secret-file', ins.offset + ins.args.indexOf(src), clean, clean)] : [];
  });
}

const RUN_CREDENTIAL = [
  /--(?:password|passwd|token|api-key|secret|auth-token)(?:=|\s{1,64})["']?([^\s"'$][^\s"';&|]{3,1024})/g,
  /\s-u\s{1,64}["']?[^\s:"'$]{1,256}:([^\s"'$@][^\s"';&|]{2,1024})/g,
];

function run(ins: Instruction): RawMatch[] {
  const out: RawMatch[] = [];
  for (const pattern of RUN_CREDENTIAL) {
    const re = new RegExp(pattern.source, pattern.flags);
    for (let m = re.exec(ins.args); m !== null; m = re.exec(ins.args)) {
      const secret = m[1] ?? '';
      if (!isPlaceholder(secret)) out.push(hit('dockerfile-run-credential', ins.offset + m.index + m[0].lastIndexOf(secret), secret));
    }
  }
  return out;
}

/** Every finding in a Dockerfile: known formats, then the Dockerfile checks, then generic hits, all with advice. */
export function analyseDockerfile(text: string): RawMatch[] {
  const general = matchText(text).map((m) => ({ ...m, advice: DOCKERFILE_ADVICE }));
  const known = general.filter((m) => m.ruleId !== 'generic-secret');
  const specific = instructions(text).flatMap((ins) => {
    if (ins.keyword === 'ENV' || ins.keyword === 'ARG') return envOrArg(ins);
    if (ins.keyword === 'COPY' || ins.keyword === 'ADD') return copyOrAdd(ins);
    return ins.keyword === 'RUN' ? run(ins) : [];
  });
  const kept = withoutOverlaps(specific, known);
  const generic = withoutOverlaps(general.filter((g) => g.ruleId === 'generic-secret'), kept);
  return [...known, ...kept, ...generic].sort((a, b) => a.index - b.index);
}
