// Accessibility: axe-core (from the npm registry) finds no serious or critical violation on the
// page, before and after a run; the compact embedded view keeps what a course page needs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { serveDist, launch, openPage, screenshot } from './harness.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let server, browser;
before(async () => { server = await serveDist(); browser = await launch({ webgpu: false }); });
after(async () => { await browser.close(); await server.close(); });

/** The serious and critical violations axe-core finds on the page, one line each. */
async function violations(page) {
  await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.join(', ')}`);
}

test('axe-core finds no serious violation, before and after a run', async () => {
  const page = await openPage(browser, server.url + '?backend=cpu&L=12&T=20&epochs=1&d_model=16&heads=2&d_ff=32');
  // Before the learner is loaded, and after a run has loaded it.
  await page.waitForSelector('[data-testid=backend-badge][data-kind=unloaded]', { timeout: 120_000 });
  assert.deepEqual(await violations(page), []);
  await page.getByTestId('sim-run').click();
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
  await page.getByTestId('learn-train').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=learn-stats]').dataset.epochs === '1',
    null, { timeout: 300_000 });
  await page.locator('#about summary').click();
  assert.deepEqual(await violations(page), []);
  await screenshot(page, 'accessibility-after-run');
  assert.deepEqual(page.errors, []);
});

test('?embed=1 shows the compact page for an iframe, and keeps it through a preset', async () => {
  const page = await openPage(browser, server.url + '?backend=cpu&embed=1');
  await page.waitForSelector('[data-testid=backend-badge][data-kind=unloaded]', { state: 'attached', timeout: 120_000 });
  assert.equal(await page.locator('header.top').isVisible(), false);
  assert.equal(await page.getByTestId('autosave').isVisible(), false);
  assert.equal(await page.locator('#backend-panel').isVisible(), false);
  assert.equal(await page.getByTestId('story').isVisible(), true);
  assert.equal(await page.getByTestId('sim-run').isVisible(), true);
  await page.getByTestId('preset-classroom').click();
  await page.waitForFunction(() => location.search.includes('L=12'));
  assert.match(await page.evaluate(() => location.search), /embed=1/);
  await page.setViewportSize({ width: 390, height: 700 });
  await screenshot(page, 'embed-phone');
  assert.deepEqual(page.errors, []);
});

test('after one visit the page opens and simulates without a network', async () => {
  // A server of its own, stopped after the first visit: the second comes from the service
  // worker's copy.
  const own = await serveDist();
  const page = await openPage(browser, own.url + '?backend=cpu&L=12&T=5');
  // The first visit is over once the simulation worker is up and the copy made (the learner is
  // kept only once it has been used).
  await page.getByTestId('sim-run').click();
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 60_000 });
  await page.waitForFunction(async () => {
    const registration = await navigator.serviceWorker?.getRegistration();
    if (!registration?.active) return false;
    return (await (await caches.open('jumpformer')).keys()).length >= 8;
  }, null, { timeout: 120_000, polling: 500 });
  await own.close();
  await page.reload();
  await page.waitForSelector('[data-testid=backend-badge][data-kind=unloaded]', { timeout: 120_000 });
  await page.getByTestId('sim-run').click();
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 60_000 });
  assert.ok(Number(await page.getByTestId('trajectory').getAttribute('data-jumps')) > 0);
  assert.deepEqual(page.errors.filter((e) => !e.includes('Failed to load resource')), []);
});
