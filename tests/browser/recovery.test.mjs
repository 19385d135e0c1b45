// Failures and reloads lose nothing: a worker that crashes is replaced and given back the
// trajectory and the model; a lost GPU device sends the page on to the CPU; the autosave brings
// the work back after a reload; a job measured to be long asks before it goes on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDist, launch, openPage, screenshot, loadLearner, trainingEnded, mainWorker, distDir } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

// A small trajectory (L = 12, paper rates) and a tiny network: an epoch takes seconds.
const small = '?model=active-lattice&L=12&phi=0.1244&T=6&burn_in=1&seed=3'
  + '&mode=1&epochs=1&lr=0.003&segment=64&d_model=16&heads=2&layers=1&d_ff=32&hard=0&lseed=1';

const stat = (page, name) => page.getByTestId('learn-stats').getAttribute(`data-${name}`);
const messages = (page) => page.getByTestId('messages').innerText();

async function simulateAndTrain(page) {
  await page.getByTestId('sim-run').click();
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
  await page.getByTestId('learn-train').click();
  await trainingEnded(page);
}

/** A copy of dist/ without the CPU-only learner, served; `close` removes it. */
async function distWithoutCpuLearner() {
  const dir = await mkdtemp(join(tmpdir(), 'jumpformer-dist-'));
  for (const name of await readdir(distDir)) {
    if (!name.startsWith('jumpformer-cpu-worker')) await symlink(join(distDir, name), join(dir, name));
  }
  const own = await serveDist(dir);
  return { url: own.url, close: async () => { await own.close(); await rm(dir, { recursive: true }); } };
}

// A host, or an offline cache, without the CPU-only learner (offline, the page keeps only the
// build it used): asked for the CPU, the page cannot start that build and loads the one with the
// GPU backend instead, which has no CPU backend and so trains on the GPU.
test('a learner build that cannot be loaded gives way to the other one', async () => {
  const own = await distWithoutCpuLearner();
  const browser = await launch({ webgpu: true });
  try {
    const page = await openPage(browser, own.url + small + '&backend=cpu');
    await loadLearner(page, 'gpu', 180_000);
    assert.match(await messages(page), /The learner built for the CPU could not be started \(.*\), so the page loaded the learner with the GPU backend instead; there was no trajectory or model to give back\./);
    assert.match(await page.getByTestId('backend-reason').innerText(), /the CPU was asked for, but this build of the learner has no CPU backend/);
    // It trains: the smoke training's loss falls (a full epoch on SwiftShader would add a
    // minute and a half to the suite; 'training raises U/T … (webgpu)' in learn.test.mjs trains
    // this build on WebGPU).
    await page.waitForSelector('[data-testid=smoke][data-state=done]', { timeout: 180_000 });
    const smoke = page.getByTestId('smoke');
    const [first, last] = [Number(await smoke.getAttribute('data-first-loss')), Number(await smoke.getAttribute('data-last-loss'))];
    assert.ok(last < 0.5 * first, `the smoke training's loss fell: ${first} -> ${last}`);
    assert.ok(page.workers().every((w) => !w.url().includes('cpu-worker')));
    // The only errors are the browser's own report of the missing file.
    assert.deepEqual(page.errors.filter((e) => !/Failed to load resource|404/.test(e)), []);
  } finally {
    await browser.close();
    await own.close();
  }
});

// The same host in a browser without WebGPU: neither build can train. The page says so, and the
// simulation worker takes the learner's place with the trajectory.
test('where neither learner build can train, the page says so and keeps the trajectory', async () => {
  const own = await distWithoutCpuLearner();
  const browser = await launch({ webgpu: false });
  try {
    const page = await openPage(browser, own.url + small + '&backend=cpu');
    await page.getByTestId('sim-run').click();
    await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
    const jumps = await page.getByTestId('trajectory').getAttribute('data-jumps');
    await page.getByTestId('load-learner').click();
    await page.waitForFunction(() => /nothing can be trained here now/.test(document.querySelector('[data-testid=messages]')?.innerText ?? ''), null, { timeout: 180_000 });
    assert.match(await messages(page), /The learner stopped: the learner with the GPU backend found no GPU \(.*\); the learner built for the CPU could not be loaded either/);
    await page.waitForSelector(`[data-testid=trajectory][data-jumps="${jumps}"]`);
    assert.equal(await page.getByTestId('backend-badge').getAttribute('data-kind'), 'unloaded');
    assert.deepEqual(page.errors.filter((e) => !/Failed to load resource|404/.test(e)), []);
  } finally {
    await browser.close();
    await own.close();
  }
});

test('a crashed worker is replaced and given back the trajectory and the model; a reload restores them from the autosave', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const page = await openPage(browser, server.url + small + '&backend=cpu');
    page.on('dialog', (dialog) => dialog.accept().catch(() => {}));
    await loadLearner(page, 'cpu');
    await simulateAndTrain(page);
    const jumps = await page.getByTestId('trajectory').getAttribute('data-jumps');
    // The worker sent its copies, and the autosave stored both.
    await page.waitForSelector('[data-testid=autosave][data-saved-trajectory=true][data-saved-model=true]', { timeout: 30_000 });

    // Crash the worker in the middle of a new, longer training: an uncaught error, as a panic's
    // trap is. (One epoch of this trajectory can end before the page is looked at again.)
    await page.getByTestId('field-epochs').fill('200');
    await page.getByTestId('field-epochs').dispatchEvent('change');
    await page.getByTestId('learn-train').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=learn-stats]').dataset.epochs) >= 1);
    const worker = await mainWorker(page);
    assert.ok(worker, 'the page runs a worker');
    await worker.evaluate(() => { setTimeout(() => { throw new Error('killed by the test'); }, 0); });
    await page.waitForFunction(() => document.querySelector('[data-testid=messages]').innerText.includes('A new worker was started'), null, { timeout: 30_000 });
    assert.match(await messages(page), /The worker stopped: the worker crashed \(.*killed by the test\)\. A new worker was started; the trajectory and the model were given back to it/);
    await page.waitForFunction(() => document.querySelector('[data-testid=learn-model]').innerText.includes('restored'), null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('trajectory').getAttribute('data-jumps'), jumps, 'the same trajectory is kept');
    assert.equal(await stat(page, 'training'), 'false', 'the interrupted training is shown as stopped');
    assert.match(await page.getByTestId('learn-model').innerText(), /restored from the page's copy, U\/T = -?\d+\.\d{4} on the current trajectory/);
    await page.waitForSelector('[data-testid=backend-badge][data-kind=cpu]', { timeout: 60_000 });
    await screenshot(page, 'recovery-crash');

    // The new worker goes on: another training runs to its end.
    await page.getByTestId('field-epochs').fill('1');
    await page.getByTestId('field-epochs').dispatchEvent('change');
    await page.getByTestId('learn-train').click();
    await trainingEnded(page);

    // A reload: the autosave offers what this visit left, and restores it.
    await page.reload();
    await page.waitForSelector('[data-testid=autosave-earlier]', { timeout: 60_000 });
    const offer = await page.getByTestId('autosave-earlier').innerText();
    assert.match(offer, new RegExp(`a trajectory \\(active-lattice, ${jumps} jumps, T = 6, saved .*\\) and a model \\(jumpformer-model-mode1-d16-l1\\.jfmodel`));
    await page.getByTestId('autosave-restore').click();
    await page.waitForSelector(`[data-testid=trajectory][data-jumps="${jumps}"]`, { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=learn-model]').innerText.includes('restored'), null, { timeout: 60_000 });
    assert.ok(!(await page.getByTestId('autosave-earlier').count()), 'the offer is gone once taken');
    await screenshot(page, 'recovery-autosave-restored');

    // Autosave off deletes the copies: the next visit offers nothing.
    await page.getByTestId('autosave-toggle').uncheck();
    await page.waitForSelector('[data-testid=autosave][data-saved-model=false]');
    await page.reload();
    await page.waitForSelector('[data-testid=backend-badge][data-kind=unloaded]', { timeout: 120_000 });
    await page.waitForTimeout(1000);
    assert.equal(await page.getByTestId('autosave-earlier').count(), 0, 'nothing is offered once autosave was turned off');
    assert.equal(await page.getByTestId('autosave-toggle').isChecked(), false, 'the choice is remembered');
  } finally {
    await browser.close();
  }
});

test('a lost GPU device: the page says so and goes on on the CPU with the trajectory kept', async () => {
  const browser = await launch({ webgpu: true });
  try {
    const page = await openPage(browser, server.url + small);
    await loadLearner(page, 'gpu');
    await page.getByTestId('sim-run').click();
    await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
    const jumps = await page.getByTestId('trajectory').getAttribute('data-jumps');
    await page.waitForSelector('[data-testid=autosave][data-saved-trajectory=true]', { timeout: 30_000 });
    const worker = await mainWorker(page);
    const destroyed = await worker.evaluate(() => {
      for (const device of self.jumpformerDevices) device.destroy();
      return self.jumpformerDevices.length;
    });
    assert.ok(destroyed >= 1, 'the worker holds a GPU device');
    await page.waitForSelector('[data-testid=backend-badge][data-kind=cpu]', { timeout: 120_000 });
    assert.match(await messages(page), /the GPU device was lost \(destroyed.*\)\. A new worker was started on the CPU; the trajectory was given back to it/);
    assert.match(await page.getByTestId('backend-reason').innerText(), /the GPU device was lost/);
    await page.waitForSelector(`[data-testid=trajectory][data-jumps="${jumps}"]`);
    // Training goes on, on the CPU.
    await page.getByTestId('learn-train').click();
    await trainingEnded(page);
    await screenshot(page, 'recovery-device-lost');
  } finally {
    await browser.close();
  }
});

test('a training measured to be long asks before it goes on, and stops when told', async () => {
  const browser = await launch({ webgpu: false });
  try {
    // 100,000 epochs of the small trajectory: hours on any CPU.
    const page = await openPage(browser, server.url + small.replace('epochs=1', 'epochs=100000') + '&backend=cpu');
    await loadLearner(page, 'cpu');
    await page.getByTestId('sim-run').click();
    await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
    await page.getByTestId('learn-train').click();
    await page.waitForSelector('[data-testid=long-run]', { timeout: 60_000 });
    const seconds = Number(await page.getByTestId('long-run').getAttribute('data-seconds'));
    assert.ok(seconds > 600, `projected ${seconds} s`);
    assert.match(await page.getByTestId('long-run').innerText(), /This training will take about .* on this computer's CPU and needs .* of memory \(measured over its first 3 s\)\. It is paused: go on\?/);
    // Paused while it asks: no epoch finishes.
    const epochs = await stat(page, 'epochs');
    await page.waitForTimeout(1500);
    assert.equal(await stat(page, 'epochs'), epochs);
    await screenshot(page, 'long-run-question');
    await page.getByTestId('long-run-stop').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=learn-stats]').dataset.training === 'false', null, { timeout: 30_000 });
    assert.equal(await page.getByTestId('long-run').count(), 0);
  } finally {
    await browser.close();
  }
});
