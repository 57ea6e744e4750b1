/**
 * Small apps for the real-pod tests, as `node -e` scripts for the project's image. Each
 * prints one JSON line per event on stdout (read back with `kubectl logs`) and never a
 * secret value: only hashes of values, counts and outcomes.
 */

const json = (v: unknown): string => JSON.stringify(v);

/** Exits 1 when `path` is missing at start: a restart shows the app started too early. */
function requireFile(path: string): string {
  return `if (!require('node:fs').existsSync(${json(path)})) { console.error('secret file missing at start'); process.exit(1); }`;
}

/** sha256 hex of the file's `field` (JSON), or null when the file is unreadable or torn. */
const HASH_FN = `
  const fieldHash = (p, f) => {
    try {
      const v = JSON.parse(require('node:fs').readFileSync(p, 'utf8'))[f];
      return typeof v === 'string' && v !== '' ? require('node:crypto').createHash('sha256').update(v).digest('hex') : null;
    } catch { return null; }
  };`;

/**
 * Counts `signal` in the app's main process: `{"signal":"SIGHUP","count":N,"sha":...}` per
 * signal, with the hash of the file's `field` as the app sees it then.
 */
export function signalApp(path: string, field: string, signal: string): string {
  return `${requireFile(path)}${HASH_FN}
    let count = 0;
    console.log(JSON.stringify({ started: true, sha: fieldHash(${json(path)}, ${json(field)}) }));
    process.on(${json(signal)}, () => { count += 1; console.log(JSON.stringify({ signal: ${json(signal)}, count, sha: fieldHash(${json(path)}, ${json(field)}) })); });
    setInterval(() => {}, 1e9);`;
}

/** Listens on 127.0.0.1:`port`: `{"hook":"POST /path","count":N,"sha":...}` per request. */
export function hookApp(path: string, field: string, port: number): string {
  return `${requireFile(path)}${HASH_FN}
    let count = 0;
    require('node:http').createServer((req, res) => {
      count += 1;
      console.log(JSON.stringify({ hook: req.method + ' ' + req.url, count, sha: fieldHash(${json(path)}, ${json(field)}) }));
      res.end('ok');
    }).listen(${port}, '127.0.0.1', () => console.log(JSON.stringify({ started: true })));`;
}

/**
 * Reads the file every `everyMs` and says when it is missing, empty or not JSON with a
 * non-empty `field` (`{"torn":...}`), else logs each new hash once (`{"sha":...}`).
 */
export function watchApp(path: string, field: string, everyMs: number): string {
  return `${requireFile(path)}${HASH_FN}
    let last = '';
    const check = () => {
      const sha = fieldHash(${json(path)}, ${json(field)});
      if (sha === null) console.log(JSON.stringify({ torn: Date.now() }));
      else if (sha !== last) { last = sha; console.log(JSON.stringify({ sha })); }
    };
    check();
    setInterval(check, ${everyMs});`;
}

/**
 * Logs in to PostgreSQL every `everyMs` with the `username` and `password` of the JSON file
 * at `path` (SCRAM-SHA-256, written out here: the image has no PostgreSQL client):
 * `{"login":true|false,"user":<sha256 of the user name>,"error":...}` per attempt.
 */
export function pgApp(path: string, host: string, port: number, database: string, everyMs: number): string {
  return `${requireFile(path)}
    const net = require('node:net'), crypto = require('node:crypto'), fs = require('node:fs');
    const H = (k, d) => crypto.createHmac('sha256', k).update(d).digest();
    const msg = (type, body) => { const b = Buffer.alloc(5); b.write(type); b.writeInt32BE(body.length + 4, 1); return Buffer.concat([b, body]); };
    const cstr = (s) => Buffer.from(s + '\\0');
    function login(user, password) {
      return new Promise((resolve) => {
        const sock = net.connect(${port}, ${json(host)});
        const nonce = crypto.randomBytes(18).toString('base64');
        const first = 'n=,r=' + nonce;
        let buf = Buffer.alloc(0), serverFirst = '';
        const done = (ok, error) => { sock.destroy(); resolve({ ok, error }); };
        sock.setTimeout(5000, () => done(false, 'timeout'));
        sock.on('error', (e) => done(false, e.code || 'socket error'));
        sock.on('connect', () => {
          const params = Buffer.concat([cstr('user'), cstr(user), cstr('database'), cstr(${json(database)}), Buffer.from([0])]);
          const head = Buffer.alloc(8); head.writeInt32BE(params.length + 8, 0); head.writeInt32BE(196608, 4);
          sock.write(Buffer.concat([head, params]));
        });
        sock.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 5 && buf.length >= buf.readInt32BE(1) + 1) {
            const type = String.fromCharCode(buf[0]), len = buf.readInt32BE(1), body = buf.subarray(5, len + 1);
            buf = buf.subarray(len + 1);
            if (type === 'E') return done(false, (body.toString().split('\\0').find((f) => f.startsWith('C')) || 'C?').slice(1));
            if (type === 'Z') return done(true);
            if (type !== 'R') continue;
            const code = body.readInt32BE(0);
            if (code === 10) {
              const c = Buffer.from('n,,' + first);
              const n = Buffer.alloc(4); n.writeInt32BE(c.length);
              sock.write(msg('p', Buffer.concat([cstr('SCRAM-SHA-256'), n, c])));
            } else if (code === 11) {
              serverFirst = body.subarray(4).toString();
              const f = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
              const salted = crypto.pbkdf2Sync(password, Buffer.from(f.s, 'base64'), Number(f.i), 32, 'sha256');
              const clientKey = H(salted, 'Client Key');
              const stored = crypto.createHash('sha256').update(clientKey).digest();
              const finalBare = 'c=biws,r=' + f.r;
              const sig = H(stored, first + ',' + serverFirst + ',' + finalBare);
              const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i])).toString('base64');
              sock.write(msg('p', Buffer.from(finalBare + ',p=' + proof)));
            } else if (code !== 0 && code !== 12) return done(false, 'auth method ' + code);
          }
        });
      });
    }
    const attempt = async () => {
      let creds;
      try { creds = JSON.parse(fs.readFileSync(${json(path)}, 'utf8')); } catch { return console.log(JSON.stringify({ login: false, error: 'file unreadable' })); }
      const r = await login(String(creds.username), String(creds.password));
      console.log(JSON.stringify({ login: r.ok, user: crypto.createHash('sha256').update(String(creds.username)).digest('hex'), ...(r.error ? { error: r.error } : {}) }));
    };
    attempt();
    setInterval(attempt, ${everyMs});`;
}

/** The JSON lines of an app's log, skipping anything else (a node warning, say). */
export function logLines<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // not one of the app's lines
    }
  }
  return out;
}
