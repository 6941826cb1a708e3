// Builds the gateway (with the current ui/dist embedded) and runs it on a
// free loopback port with a throwaway SQLite database.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PASSWORD = 'e2e-Test-Password-1';
export const CADDYFILE_CHANNEL = 'cf-readonly';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** startGateway builds and starts the gateway; stop() kills it and removes its files. */
export async function startGateway() {
  const dir = mkdtempSync(join(tmpdir(), 'octopus-e2e-'));
  const bin = join(dir, 'caddy');
  execFileSync('go', ['build', '-o', bin, './cmd/caddy'], { cwd: repo, stdio: 'inherit' });
  const fake = await startFake(dir);
  const port = await freePort();
  const caddyfile = `{
	admin off
	octopus {
		database sqlite ${join(dir, 'db.sqlite')}
		admin_password ${PASSWORD}
		price_sync off
		channel ${CADDYFILE_CHANNEL} {
			type openai_chat
			base_url http://127.0.0.1:9/v1
			key sk-caddyfile-e2e-0000
			models gpt-4o-mini
		}
	}
}

http://127.0.0.1:${port} {
	octopus_admin
	octopus
}
`;
  writeFileSync(join(dir, 'Caddyfile'), caddyfile);
  let log = '';
  const proc = spawn(bin, ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    cwd: dir,
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', d => { log += d; });
  proc.stderr.on('data', d => { log += d; });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error('gateway exited:\n' + log);
    try { if ((await fetch(url)).ok) break; } catch { /* not up yet */ }
    if (Date.now() > deadline) { proc.kill(); throw new Error('gateway did not start:\n' + log); }
    await new Promise(r => setTimeout(r, 200));
  }
  return {
    url,
    // fakeURL is the fake provider's base URL (channels use fakeURL + '/v1').
    fakeURL: fake.url,
    log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      fake.proc.kill('SIGTERM');
      await new Promise(r => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// startFake builds and runs e2e/fakeupstream (the Go tests' fake provider
// as a process); it prints its URL first.
async function startFake(dir) {
  const bin = join(dir, 'fakeupstream');
  execFileSync('go', ['build', '-o', bin, './e2e/fakeupstream'], { cwd: repo, stdio: 'inherit' });
  const proc = spawn(bin, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', d => { out += d; const nl = out.indexOf('\n'); if (nl >= 0) resolve(out.slice(0, nl).trim()); });
    proc.once('exit', c => reject(new Error('fake provider exited with ' + c)));
  });
  return { url, proc };
}

/** adminAPI logs in over the API and returns a function calling it with the token. */
export async function adminAPI(gw) {
  // Caddy may serve before the octopus app has opened its store: the admin
  // API answers 503 until then (never 401), so only 503 is retried.
  let login;
  for (let i = 0; i < 20; i++) {
    login = await fetch(gw.url + 'api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    if (login.status !== 503) break;
    await new Promise(r => setTimeout(r, 250));
  }
  if (!login.ok) throw new Error('login: ' + login.status);
  const { token } = await login.json();
  return async (method, path, body) => {
    const res = await fetch(gw.url + 'api/v1/' + path, {
      method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** relay sends one chat request through the gateway with a client key. */
export async function relay(gw, secret, model) {
  const res = await fetch(gw.url + 'v1/chat/completions', {
    method: 'POST', headers: { Authorization: 'Bearer ' + secret, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello from the browser tests' }] }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error('relay: ' + res.status + ' ' + JSON.stringify(body));
  return body;
}
