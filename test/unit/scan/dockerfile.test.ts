import { analyseDockerfile, isDockerfileName } from '../../../src/scan/dockerfile';
import { analyseConfig, historyToDockerfile } from '../../../src/scan/image-config';
import { plant, randomOf, rng } from '../../helpers/fake-secrets';

const rand = randomOf(rng(5), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 28);
const gh = plant('github-token', 31);
const ids = (text: string) => analyseDockerfile(text).map((m) => m.ruleId);

describe('Dockerfile checks', () => {
  it.each([
    ['ENV DB_PASSWORD=hunter2secret', ['dockerfile-secret-env']],
    ['ENV DB_PASSWORD hunter2secret', ['dockerfile-secret-env']],
    [`ENV A=1 API_KEY="${rand}" B=2`, ['dockerfile-secret-env']],
    [`ARG NPM_TOKEN=${rand}`, ['dockerfile-secret-arg']],
    ['ARG NPM_TOKEN', ['dockerfile-secret-build-arg']],
    [`ENV GITHUB_TOKEN=${gh.secret}`, ['github-token']],
    ['COPY .env /app/.env', ['dockerfile-copy-secret-file']],
    ['COPY --chown=app id_rsa server.pem /keys/', ['dockerfile-copy-secret-file', 'dockerfile-copy-secret-file']],
    ['ADD ["credentials.json", "/app/"]', ['dockerfile-copy-secret-file']],
    [`RUN curl -H "Authorization: Bearer ${rand}" https://x.test/pkg`, ['authorization-header']],
    [`RUN curl -u deploy:${rand} https://x.test/pkg`, ['dockerfile-run-credential']],
    [`RUN docker login --password ${rand} registry.test`, ['dockerfile-run-credential']],
    [`RUN echo hi \\\n  && mysql -h db --password=${rand}`, ['dockerfile-run-credential']],
  ])('%s', (line, expected) => {
    expect(ids(`FROM alpine\n${line}\n`)).toEqual(expected);
  });

  it.each([
    ['ARG NPM_TOKEN_FILE'],
    ['ENV PASSWORD_FILE=/run/secrets/db'],
    ['ENV DB_PASSWORD=${DB_PASSWORD}'],
    ['ENV VAULT_AUTH_METHOD=kubernetes'],
    ['ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305'],
    ['RUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci'],
    ['RUN curl -H "Authorization: Bearer $TOKEN" https://x.test'],
    ['COPY package.json package-lock.json ./'],
    ['COPY . .'],
    ['ENV PATH=/usr/local/bin:$PATH'],
  ])('stays quiet on %s', (line) => {
    expect(ids(`FROM alpine\n${line}\n`)).toEqual([]);
  });

  it('reports the line of an instruction after continuation lines, with advice', () => {
    const text = `FROM a\nRUN apt-get update \\\n  && true\nENV SECRET_TOKEN=${rand}\n`;
    const m = analyseDockerfile(text);
    expect(m).toHaveLength(1);
    expect(text.slice(0, m[0]!.index).split('\n').length).toBe(4);
    expect(text.slice(m[0]!.index, m[0]!.index + rand.length)).toBe(rand);
    expect(m[0]!.advice).toMatch(/--mount=type=secret/);
  });

  it.each([
    ['Dockerfile', true],
    ['Dockerfile.prod', true],
    ['Containerfile', true],
    ['api.dockerfile', true],
    ['dockerfile.test.ts', false],
    ['Dockerfile.md', false],
    ['dockerfiles', false],
  ])('%s is a Dockerfile: %s', (n, yes) => expect(isDockerfileName(n)).toBe(yes));
});

describe('image config', () => {
  it.each([
    [`|2 NPM_TOKEN=${rand} X=1 /bin/sh -c npm ci`, `ARG NPM_TOKEN=${rand}\nARG X=1\nRUN npm ci`],
    [`RUN |1 NPM_TOKEN=${rand} /bin/sh -c npm ci # buildkit`, `ARG NPM_TOKEN=${rand}\nRUN npm ci`],
    ['/bin/sh -c #(nop)  ENV DB_PASSWORD=x', 'ENV DB_PASSWORD=x'],
    ['/bin/sh -c apt-get update', 'RUN apt-get update'],
  ])('history %s becomes Dockerfile lines', (createdBy, expected) => {
    expect(historyToDockerfile(createdBy)).toBe(expected);
  });

  it('finds Env secrets and build arguments recorded in history, ignoring bare ARG names', () => {
    const found = analyseConfig({
      config: { Env: ['PATH=/usr/bin', `DB_PASSWORD=${rand}`] },
      history: [{ created_by: 'ARG NPM_TOKEN' }, { created_by: `|1 NPM_TOKEN=${rand} /bin/sh -c npm ci` }],
    });
    expect(found.map((f) => [f.where, f.match.ruleId])).toEqual([
      ['Env', 'image-env-secret'],
      ['history[1]', 'image-history-secret'],
    ]);
  });
});
