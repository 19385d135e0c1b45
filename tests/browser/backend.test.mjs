// The skeleton's promise: the worker picks WebGPU when an adapter exists, else the CPU, shows
// which and why, and a real burn training step sequence lowers the loss on that backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, screenshot } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** Waits for the smoke training to finish and returns what the page shows. */
async function smokeResult(page) {
  await page.waitForSelector('[data-testid=smoke][data-state=done]', { timeout: 180_000 });
  const badge = page.getByTestId('backend-badge');
  const smoke = page.getByTestId('smoke');
  return {
    kind: await badge.getAttribute('data-kind'),
    label: await badge.innerText(),
    reason: await page.getByTestId('backend-reason').innerText(),
    first: Number(await smoke.getAttribute('data-first-loss')),
    last: Number(await smoke.getAttribute('data-last-loss')),
  };
}

const cases = [
  { name: 'webgpu', webgpu: true, query: '', kind: 'gpu', label: /swiftshader/i, reason: /adapter was found/ },
  { name: 'cpu-fallback', webgpu: false, query: '', kind: 'cpu', label: /CPU/, reason: /WebGPU not available in this browser/ },
  { name: 'cpu-requested', webgpu: true, query: '?backend=cpu', kind: 'cpu', label: /CPU/, reason: /requested/ },
];

for (const c of cases) {
  test(`backend badge and smoke training: ${c.name}`, async () => {
    const browser = await launch({ webgpu: c.webgpu });
    try {
      const page = await openPage(browser, server.url + c.query);
      const result = await smokeResult(page);
      const shot = await screenshot(page, `backend-${c.name}`);
      console.log(`${c.name}: ${result.label} (${result.reason}); loss ${result.first} -> ${result.last}; ${shot}`);
      assert.equal(result.kind, c.kind);
      assert.match(result.label, c.label);
      assert.match(result.reason, c.reason);
      assert.ok(Number.isFinite(result.first) && Number.isFinite(result.last));
      // 20 Adam steps at lr 0.02 on a smooth regression: natively the loss falls by far more than half.
      assert.ok(result.last < 0.5 * result.first, `loss did not fall: ${result.first} -> ${result.last}`);
      assert.deepEqual(page.errors, []);
    } finally {
      await browser.close();
    }
  });
}

test('a malformed backend in the link is refused with a visible message', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const page = await openPage(browser, server.url + '?backend=quantum');
    await page.waitForSelector('[data-testid=backend-badge][data-kind=cpu]', { timeout: 120_000 });
    const messages = await page.getByTestId('messages').innerText();
    assert.match(messages, /backend="quantum" is not one of auto, cpu/);
  } finally {
    await browser.close();
  }
});
