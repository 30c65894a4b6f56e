// serve.test.mjs: the server behind `make open` (web/serve.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from '../web/serve.mjs';

test('a malformed path gets a 400, and the server goes on serving', async () => {
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    assert.equal((await fetch(`${base}/%E0`)).status, 400);
    assert.equal((await fetch(`${base}/..%2f..%2fetc%2fpasswd`)).status, 403, 'nothing outside the project folder');
    const page = await fetch(`${base}/index.html`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>/);
  } finally {
    server.close();
  }
});

test('a port in use is an error the caller can catch (make open then tries the next port)', async () => {
  const first = await serve();
  try {
    await assert.rejects(serve({ port: first.address().port }), { code: 'EADDRINUSE' });
  } finally {
    first.close();
  }
});
