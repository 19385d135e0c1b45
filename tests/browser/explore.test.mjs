// The Discover and Extrapolate views on a classroom-sized run (L = 12), CPU backend: the N_W
// scan fills its plot and class table; a trained model runs beside the true dynamics on two
// canvases; a density sweep can be stopped and keeps its finished densities.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, screenshot } from './harness.mjs';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

const link = '?model=active-lattice&L=12&phi=0.1244&T=20&burn_in=2&seed=3'
  + '&mode=1&epochs=1&lr=0.003&segment=64&d_model=16&heads=2&layers=1&d_ff=32&hard=0&clip=100&lseed=1'
  + '&scan_max=3&scan_epochs=1&x_phi=0.3&x_T=6&x_burn_in=1&replicas=2&x_seed=5&tau=0.01'
  + '&sweep=0.15,0.3,0.45,0.6&backend=cpu';

const data = (page, id) => page.getByTestId(id).evaluate((el) => ({ ...el.dataset }));

test('discover scans N_W and extrapolate runs the learned dynamics beside the true one', async () => {
  const browser = await launch({ webgpu: false });
  try {
    // No wait for the learner: the scan's request loads it.
    const page = await openPage(browser, server.url + link);
    await page.getByTestId('sim-run').click();
    await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });

    // Discover: N_W = 1, 2, 3, one epoch each.
    let started = Date.now();
    await page.getByTestId('discover-scan').click();
    await page.waitForFunction(() => {
      const d = document.querySelector('[data-testid=discover-table]').dataset;
      return d.running === 'false' && Number(d.points) === 3;
    }, null, { timeout: 300_000 });
    const scan = await data(page, 'discover-table');
    const u = scan.u.split(',').map(Number);
    console.log(`scan N_W = 1..3 in ${((Date.now() - started) / 1000).toFixed(1)} s: U/T ${u.map((v) => v.toFixed(2)).join(', ')}`);
    assert.equal(u.length, 3);
    assert.ok(u.every(Number.isFinite), `U/T values ${u}`);
    // Each N_W's gap to the best held-out U/T comes with its standard error (from stretches of
    // the held-out trajectory), and the sentence under the table names the plateau.
    const gaps = await page.getByTestId('discover-table').locator('td.gap').allTextContents();
    assert.equal(gaps.length, 3, `gaps ${gaps}`);
    assert.ok(gaps.every((t) => /^\d+\.\d{3} ± \d+\.\d{3}$/.test(t)), `gaps ${gaps}`);
    assert.ok(gaps.some((t) => t.startsWith('0.000 ')), `the best N_W has no gap: ${gaps}`);
    const plateau = await page.getByTestId('discover-plateau').innerText();
    assert.match(plateau, /The curve flattens at N_W = [123]\b/);
    assert.equal(plateau.match(/N_W = ([123])/)[1], scan.discovered);
    // A warm start is asked for (the default) but nothing is trained yet: the page says so.
    assert.match(await page.getByTestId('discover-start').innerText(), /from scratch: there is no trained network yet/);
    // The chart's dashed bound: the best held-out U/T with N_W rates per kind of move, one per
    // N_W, never lower for more classes.
    const bounds = (await page.getByTestId('discover-chart').getAttribute('data-kind-bounds')).split(',').map(Number);
    assert.equal(bounds.length, 3, `kind bounds ${bounds}`);
    assert.ok(bounds.every(Number.isFinite) && bounds[1] >= bounds[0] && bounds[2] >= bounds[1], `kind bounds ${bounds}`);
    // Every true kind of move is tabulated against the classes of the discovered N_W.
    const rows = await page.getByTestId('discover-membership').locator('tr').count();
    assert.equal(rows, 1 + 4, 'a header and one row per kind of move');
    // Each kind's learned rate (class rates averaged over its moves) is a number.
    const learned = await page.getByTestId('discover-membership').locator('td.learned-rate').allTextContents();
    assert.equal(learned.length, 4, `learned rates ${learned}`);
    assert.ok(learned.every((t) => Number.isFinite(Number(t))), `learned rates ${learned}`);
    // Each class is named by the true kind that fills most of it, with its share.
    const kinds = await page.getByTestId('class-kind').allTextContents();
    assert.ok(kinds.length >= 1 && kinds.every((t) => /^(.+: \d+%|empty)$/.test(t)), `class names ${kinds}`);
    await screenshot(page, 'discover-cpu');

    // A model to extrapolate with: one epoch of Mode 1.
    await page.getByTestId('learn-train').click();
    await page.waitForFunction(() => {
      const s = document.querySelector('[data-testid=learn-stats]').dataset;
      return s.training === 'false' && Number(s.epochs) === 1;
    }, null, { timeout: 300_000 });

    // Side by side at phi = 0.3 (trained at 0.1244), two replicas to T = 6.
    started = Date.now();
    await page.getByTestId('extrapolate-side').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=extrapolate-stats]').dataset.done === 'true',
      null, { timeout: 300_000 });
    const side = await data(page, 'extrapolate-stats');
    console.log(`side by side to T = 6 in ${((Date.now() - started) / 1000).toFixed(1)} s: ${side.jumps} learned moves, ${side.rejected} rejected`);
    assert.equal(Number(side.time), 6);
    assert.ok(Number(side.jumps) > 0);
    // Trained without the hard constraint, the network still gives blocked steps a rate.
    assert.ok(Number(side.rejected) > 0, `rejected moves: ${side.rejected}`);
    const canvas = await data(page, 'extrapolate-learned-canvas');
    assert.ok(Number(canvas.frames) > 0, 'the learned canvas was drawn');
    assert.match(await page.getByTestId('extrapolate-integrator').innerText(), /tau-leap \(tau = 0\.01\)/);
    assert.equal(await page.getByTestId('extrapolate-summary').locator('tr').count(), 7);

    // The sweep: stop it after its first density; that density stays.
    await page.getByTestId('extrapolate-sweep').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=sweep-progress]').dataset.points) >= 1,
      null, { timeout: 300_000 });
    await page.getByTestId('extrapolate-stop').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=sweep-progress]').dataset.running === 'false',
      null, { timeout: 60_000 });
    const sweep = await data(page, 'sweep-progress');
    console.log(`sweep stopped with ${sweep.points} of 4 densities`);
    assert.ok(Number(sweep.points) >= 1 && Number(sweep.points) < 4, `points kept: ${sweep.points}`);
    assert.equal(await page.getByTestId('sweep-table').locator('tr').count(), 1 + Number(sweep.points));
    await screenshot(page, 'extrapolate-cpu');

    // A bad sweep setting is refused with a message; nothing already done is lost.
    await page.getByTestId('field-sweep').fill('0.2,lots');
    await page.getByTestId('field-sweep').dispatchEvent('change');
    await page.getByTestId('extrapolate-side').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=messages]').innerText.includes('sweep'));
    assert.match(await page.getByTestId('messages').innerText(), /The setting sweep="0.2,lots" is not a comma-separated list/);
    assert.equal(await page.getByTestId('sweep-table').locator('tr').count(), 1 + Number(sweep.points));
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
  }
});

test('a sweep without a model says what to do', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const page = await openPage(browser, server.url + link);
    await page.waitForSelector('[data-testid=backend-badge][data-kind=unloaded]', { timeout: 120_000 });
    assert.equal(await page.getByTestId('extrapolate-sweep').isDisabled(), true);
    assert.match(await page.getByTestId('extrapolate-integrator').innerText(), /Needs a trained or loaded model/);
  } finally {
    await browser.close();
  }
});
