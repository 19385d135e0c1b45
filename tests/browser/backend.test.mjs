// The skeleton's promise: the worker picks WebGPU when an adapter exists, else the CPU, shows
// which and why, and a real burn training step sequence lowers the loss on that backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveDist, launch, openPage, screenshot, loadLearner, trainingEnded, distDir } from './harness.mjs';
import { forwardingExports } from './wasm-module.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** Waits for the smoke training to finish and returns what the page shows. */
async function smokeResult(page) {
  await page.getByTestId('load-learner').click();
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

// `learner`: the build of the learner worker the page loads. The one with the GPU backend only
// where it may train on WebGPU; else the CPU-only build, 1.0 MB against 2.4 MB gzipped.
const cases = [
  { name: 'webgpu', webgpu: true, query: '', kind: 'gpu', label: /swiftshader/i, reason: /adapter was found/, learner: 'jumpformer-worker' },
  { name: 'cpu-fallback', webgpu: false, query: '', kind: 'cpu', label: /CPU/, reason: /WebGPU not available in this browser/, learner: 'jumpformer-cpu-worker' },
  { name: 'cpu-requested', webgpu: true, query: '?backend=cpu', kind: 'cpu', label: /CPU/, reason: /requested/, learner: 'jumpformer-cpu-worker' },
];

/** The builds of the learner worker running in `page` (helpers included), by file name. */
function learnerBuilds(page) {
  const builds = page.workers()
    .map((w) => new URL(w.url()).pathname.split('/').pop().replace(/_loader\.js$/, ''))
    .filter((name) => name !== 'jumpformer-sim-worker');
  return [...new Set(builds)];
}

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
      assert.deepEqual(learnerBuilds(page), [c.learner]);
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
    await loadLearner(page, 'cpu');
    const messages = await page.getByTestId('messages').innerText();
    assert.match(messages, /backend="quantum" is not one of auto, cpu/);
  } finally {
    await browser.close();
  }
});

test('the page starts with the simulation worker only; the first training loads the learner and gives it the trajectory', async () => {
  const requests = [];
  const own = await serveDist(undefined, { requests });
  const browser = await launch({ webgpu: false });
  try {
    const page = await openPage(browser, own.url
      + '?backend=cpu&L=12&T=5&burn_in=1&epochs=1&d_model=16&heads=2&layers=1&d_ff=32');
    await page.waitForSelector('[data-testid=backend-badge][data-kind=unloaded]', { timeout: 120_000 });
    assert.match(await page.getByTestId('backend-reason').innerText(), /learner \(about 1 MB, or 2\.4 MB with WebGPU\) is downloaded when you first train/);
    await page.getByTestId('sim-run').click();
    await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
    const jumps = await page.getByTestId('trajectory').getAttribute('data-jumps');
    const before = requests.map((r) => r.path);
    assert.ok(before.includes('jumpformer-sim-worker_bg.wasm'), 'the simulation worker ran the simulation');
    assert.deepEqual(before.filter((p) => /^jumpformer-(cpu-)?worker/.test(p)), [], 'the learner is not loaded to simulate');
    const bytes = requests.reduce((sum, r) => sum + r.bytes, 0);
    console.log(`before the learner: ${requests.length} requests, ${bytes} bytes uncompressed`);

    await page.getByTestId('learn-train').click();
    await trainingEnded(page);
    // Asked for the CPU, the page loads the learner built without the GPU backend.
    assert.ok(requests.some((r) => r.path === 'jumpformer-cpu-worker_bg.wasm'), 'the training loaded the CPU-only learner');
    assert.ok(!requests.some((r) => r.path === 'jumpformer-worker_bg.wasm'), 'the GPU build of the learner was not downloaded');
    assert.equal(await page.getByTestId('backend-badge').getAttribute('data-kind'), 'cpu');
    assert.equal(await page.getByTestId('load-learner').count(), 0, 'the button goes once the learner is loaded');
    // The learner worker trained on the simulation worker's trajectory, handed over by the page.
    assert.equal(await page.getByTestId('trajectory').getAttribute('data-jumps'), jumps);
    // Besides the learner worker, only its helper workers (one per spare core) run.
    const names = await Promise.all(page.workers().map((w) => w.evaluate(() => self.name)));
    assert.equal(names.filter((n) => n !== 'jumpformer-helper').length, 1, 'the simulation worker was terminated');
    assert.ok(page.workers().every((w) => !w.url().includes('sim-worker')), 'the simulation worker was terminated');
    assert.equal(await page.getByTestId('messages').innerText(), '');
    await screenshot(page, 'backend-learner-loaded');
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await own.close();
  }
});

for (const preloaded of [true, false]) {
  test(`a training asked for while a simulation runs drops the simulation and trains on the trajectory before it (learner ${preloaded ? 'loaded before' : 'loaded by the training'})`, async () => {
    const browser = await launch({ webgpu: false });
    try {
      const page = await openPage(browser, server.url
        + '?backend=cpu&L=12&T=5&burn_in=1&epochs=1&d_model=16&heads=2&layers=1&d_ff=32');
      if (preloaded) await loadLearner(page, 'cpu');
      await page.getByTestId('sim-run').click();
      await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
      const jumps = await page.getByTestId('trajectory').getAttribute('data-jumps');
      // A long simulation, interrupted by a training.
      await page.getByTestId('field-T').fill('40000');
      await page.getByTestId('field-T').dispatchEvent('change');
      await page.getByTestId('sim-run').click();
      await page.waitForSelector('[data-testid=sim-pause]:not([disabled])', { timeout: 60_000 });
      await page.getByTestId('learn-train').click();
      await trainingEnded(page);
      assert.equal(await page.getByTestId('sim-pause').isDisabled(), true, 'the simulation is shown as ended');
      assert.equal(await page.getByTestId('trajectory').getAttribute('data-jumps'), jumps);
      // With the learner loaded before, the same worker drops the simulation; else the simulation
      // worker is replaced, and the learner worker is given the earlier trajectory. Either way
      // the page says so.
      assert.match(await page.getByTestId('messages').innerText(), /The simulation that was running gave way to this job and was dropped/);
      assert.deepEqual(page.errors, []);
    } finally {
      await browser.close();
    }
  });
}

// The linker wraps each export of a module with static constructors (burn's GPU kernel
// registrations) so that every call from JavaScript runs them all again, unless the module calls
// them itself: src/bin/worker.rs does, once. Wrapped, the learner worker spent 40% of its time
// in them while training. The CPU-only build is checked too. A wrapper is an export whose body
// calls the constructors, then the real function; the build before the fix had eight sharing one
// first call.
for (const build of ['jumpformer-worker', 'jumpformer-cpu-worker']) {
  test(`the learner worker (${build}) runs its static constructors once, not on every call from JavaScript`, () => {
    const wasm = new Uint8Array(readFileSync(join(distDir, `${build}_bg.wasm`)));
    const byFirst = new Map();
    for (const w of forwardingExports(wasm)) {
      byFirst.set(w.first, [...(byFirst.get(w.first) ?? []), w.name]);
    }
    for (const names of byFirst.values()) {
      assert.ok(names.length < 3, `exports wrapped by one function: ${names.join(', ')}`);
    }
  });
}
