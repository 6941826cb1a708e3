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
    log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise(r => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
