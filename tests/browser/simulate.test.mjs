// The Simulate view: exact CTMC in the worker, live on a canvas, settings in the link, the
// trajectory saved and loaded as a file, and bad input refused without losing the current run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDist, launch, openPage, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch({ webgpu: false }); });
after(async () => { await browser.close(); await server.close(); });

/** Clicks Run and waits for the trajectory card of the finished run; returns its dataset. */
async function runToEnd(page, timeout = 120_000) {
  const before = await page.getByTestId('trajectory').count() ? await page.getByTestId('trajectory').innerText() : '';
  await page.getByTestId('sim-run').click();
  await page.waitForFunction((old) => {
    const card = document.querySelector('[data-testid=trajectory]');
    return card && card.innerText !== old && card.innerText.includes('simulation');
  }, before, { timeout });
  const card = page.getByTestId('trajectory');
  return { jumps: Number(await card.getAttribute('data-jumps')), uPerT: Number(await card.getAttribute('data-u-per-t')), text: await card.innerText() };
}

/** Number of canvas pixels that differ from the background colour. */
async function paintedPixels(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('[data-testid=lattice-canvas]');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) if (!(data[i] === 0xee && data[i + 1] === 0xf2 && data[i + 2] === 0xfa)) painted++;
    return painted;
  });
}

test('the paper preset runs live: canvas, time, events/s and observables update', async () => {
  const page = await openPage(browser, server.url + '?T=200&burn_in=20&seed=2');
  const run = await runToEnd(page);
  const frames = Number(await page.getByTestId('lattice-canvas').getAttribute('data-frames'));
  assert.ok(frames >= 2, `only ${frames} frames drawn`);
  assert.ok(run.jumps > 150_000, `only ${run.jumps} jumps`); // ~1.1e3 jumps per unit time at the paper preset
  assert.match(await page.getByTestId('sim-time').innerText(), /^200\.00 \/ 200$/);
  assert.equal(Number(await page.getByTestId('sim-events').innerText()), run.jumps);
  assert.ok(Number(await page.getByTestId('obs-f4').innerText()) >= 0);
  assert.ok(Number(await page.getByTestId('obs-n_c').innerText()) > 0);
  assert.ok(await paintedPixels(page) > 1000, 'the lattice was not drawn');
  // U/T of the paper preset is about 680 (exact, from the CTMC core natively).
  assert.ok(run.uPerT > 600 && run.uPerT < 760, `U/T = ${run.uPerT}`);
  await screenshot(page, 'simulate-paper');
  assert.deepEqual(page.errors, []);
});

test('the T = 500 paper trajectory is generated in the browser (benchmark figure)', async () => {
  const page = await openPage(browser, server.url);
  const run = await runToEnd(page, 300_000);
  console.log(`paper preset T=500 in the browser: ${run.text}`);
  assert.ok(run.jumps > 500_000 && run.jumps < 620_000, `K = ${run.jumps}`); // SPEC: about 5.6e5
});

test('pause stops the clock and resume restarts it', async () => {
  const page = await openPage(browser, server.url + '?T=6700&seed=4');
  await page.getByTestId('sim-run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=lattice-canvas]').dataset.frames) > 3);
  await page.getByTestId('sim-pause').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=sim-pause]').innerText === 'Resume');
  const t1 = await page.getByTestId('sim-time').innerText();
  await page.waitForTimeout(500);
  assert.equal(await page.getByTestId('sim-time').innerText(), t1);
  await page.getByTestId('sim-pause').click();
  await page.waitForFunction((t) => document.querySelector('[data-testid=sim-time]').innerText !== t, t1);
});

test("the page's memory stays flat while a simulation runs", async () => {
  // The longest paper-preset recording a link may ask for (at most 1e7 jumps: T <= 6764),
  // about 7.7e6 jumps: several seconds of frames.
  const page = await openPage(browser, server.url + '?T=6700&seed=6');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  };
  await page.getByTestId('sim-run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=lattice-canvas]').dataset.frames) > 5);
  const frames0 = Number(await page.getByTestId('lattice-canvas').getAttribute('data-frames'));
  const before = await heap();
  await page.waitForTimeout(4_000);
  const after = await heap();
  const frames1 = Number(await page.getByTestId('lattice-canvas').getAttribute('data-frames'));
  console.log(`page JS heap ${(before / 1e6).toFixed(2)} MB -> ${(after / 1e6).toFixed(2)} MB over ${frames1 - frames0} frames`);
  assert.ok(frames1 - frames0 >= 20, `only ${frames1 - frames0} frames in 4 s`);
  // A leak of 25 kB per frame would add more than 0.5 MB here.
  assert.ok(after - before < 0.5e6, `the page's heap grew by ${after - before} bytes`);
});

test('a link round-trips and gives the same trajectory as the native CLI', async () => {
  const query = 'model=fa&L=20&c=0.4&T=30&burn_in=0&seed=3';
  const page = await openPage(browser, server.url + '?' + query);
  assert.equal(await page.getByTestId('field-L').inputValue(), '20');
  assert.equal(await page.getByTestId('field-c').inputValue(), '0.4');
  await runToEnd(page);
  // The address bar now links to this run: the simulation settings, then the learner's.
  assert.ok(new URL(page.url()).search.startsWith('?' + query + '&mode=1'), page.url());
  const download = page.waitForEvent('download');
  await page.getByTestId('sim-save').click();
  const file = await (await download).path();
  const browserJson = readFileSync(file, 'utf8');
  const parsed = JSON.parse(browserJson);
  assert.equal(parsed.format, 'jumpformer-trajectory');
  assert.equal(parsed.dt.length, parsed.jumps.token.length + 1);

  // The same run in a second page gives the identical file: the link reproduces the run.
  const again = await openPage(browser, server.url + '?' + query);
  await runToEnd(again);
  const download2 = again.waitForEvent('download');
  await again.getByTestId('sim-save').click();
  assert.equal(readFileSync(await (await download2).path(), 'utf8'), browserJson);

  const cli = process.env.JUMPFORMER_BIN;
  if (cli && existsSync(cli)) {
    const out = join(mkdtempSync(join(tmpdir(), 'jf-')), 'native.json');
    execFileSync(cli, ['simulate', '--model', 'fa', '--L', '20', '--c', '0.4', '--T', '30', '--seed', '3', '--out', out]);
    assert.equal(readFileSync(out, 'utf8'), browserJson, 'wasm and native trajectories differ');
  } else {
    assert.fail('JUMPFORMER_BIN must name the native CLI (scripts/test.sh sets it)');
  }
});

test('a bad link is refused value by value with visible messages', async () => {
  const page = await openPage(browser, server.url + '?L=abc&phi=2&seed=5');
  const messages = await page.getByTestId('messages').innerText();
  assert.match(messages, /L="abc" is not an integer from 2 to 256; using 30/);
  assert.match(messages, /phi="2" is not a number strictly between 0 and 1/);
  assert.equal(await page.getByTestId('field-seed').inputValue(), '5');
  assert.equal(await page.getByTestId('field-L').inputValue(), '30');
});

test('a bad file is refused with a message and the current trajectory is kept; a good one loads', async () => {
  const page = await openPage(browser, server.url + '?model=fa&T=50&seed=8');
  const run = await runToEnd(page);
  const bad = JSON.stringify({ format: 'jumpformer-trajectory', version: 1, model: { kind: 'fa', L: 3, rates: { c: 0.3 } },
    T: 1.0, initial: { n: [1, 0, 0] }, jumps: { token: [1], move: [0] }, dt: [0.5, -0.5] });
  await page.getByTestId('sim-load').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
  await page.waitForFunction(() => document.querySelector('[data-testid=messages]').innerText.includes('broken.json'));
  const messages = await page.getByTestId('messages').innerText();
  assert.match(messages, /"broken.json" was not loaded: .*dt\[1\].*negative.*current trajectory is kept/s);
  assert.equal(Number(await page.getByTestId('trajectory').getAttribute('data-jumps')), run.jumps);

  await page.getByTestId('sim-load').setInputFiles({ name: 'garbage.json', mimeType: 'application/json', buffer: Buffer.from('{"format": ') });
  await page.waitForFunction(() => document.querySelector('[data-testid=messages]').innerText.includes('garbage.json'));

  const good = JSON.stringify({ format: 'jumpformer-trajectory', version: 1, model: { kind: 'fa', L: 3, rates: { c: 0.3 } },
    T: 1.0, initial: { n: [1, 0, 0] }, jumps: { token: [1], move: [0] }, dt: [0.25, 0.75] });
  await page.getByTestId('sim-load').setInputFiles({ name: 'tiny.json', mimeType: 'application/json', buffer: Buffer.from(good) });
  await page.waitForFunction(() => document.querySelector('[data-testid=trajectory]').innerText.includes('tiny.json'));
  assert.equal(Number(await page.getByTestId('trajectory').getAttribute('data-jumps')), 1);
  await screenshot(page, 'simulate-loaded-file');
});
