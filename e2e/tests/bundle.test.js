// The whole UI, gzipped, must stay under the 200 KB first-load budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repo } from '../lib/gateway.js';

function files(dir) {
  return readdirSync(dir).flatMap(n => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('ui/dist gzipped is under 200 KB', () => {
  const dist = join(repo, 'ui', 'dist');
  const all = files(dist);
  assert.ok(all.some(f => f.endsWith('index.html')), 'index.html present');
  const total = all.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  console.log(`ui/dist: ${all.length} files, ${(total / 1024).toFixed(1)} KB gzipped`);
  assert.ok(total < 200 * 1024, `bundle is ${total} bytes gzipped`);
});
