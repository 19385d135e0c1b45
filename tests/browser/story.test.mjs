// The classroom page: the guided story played end to end, the settings' controls used with the
// keyboard alone, and one events/s figure per run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openPage, screenshot, artifactsDir } from './harness.mjs';

let server, browser;
before(async () => { server = await serveDist(); browser = await launch({ webgpu: false }); });
after(async () => { await browser.close(); await server.close(); });

/** Presses Tab until the element with `testId` has the focus (at most `limit` presses). */
async function tabTo(page, testId, limit = 150) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((id) => document.activeElement?.dataset?.testid === id, testId)) return i + 1;
  }
  throw new Error(`${testId} was not reached in ${limit} presses of Tab`);
}

test('the classroom story plays Simulate, Learn, Discover and Extrapolate in order', async () => {
  // About 1.5 min on a 2-core VM's CPU (measured: 0.1 s simulate, 18 s learn, 57 s discover
  // with the trained network kept fixed, 3 s extrapolate); the limit leaves room for a slower
  // machine.
  const page = await openPage(browser, server.url + '?backend=cpu&L=30&epochs=1');
  await page.waitForSelector('[data-testid=story-status]');
  // Every status the story shows, as the page changes it (the simulation step can be over
  // within a few hundred milliseconds).
  await page.evaluate(() => {
    const seen = window.storyStatuses = [];
    const note = () => {
      const status = document.querySelector('[data-testid=story-status]')?.innerText ?? '';
      if (seen.at(-1) !== status) seen.push(status);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('story-play').click();
  // The story puts the classroom preset in the link, whatever the link had.
  await page.waitForFunction(() => location.search.includes('L=12'));
  await page.waitForFunction(() => window.storyStatuses.at(-1).includes('ran to its end'), null,
    { timeout: 600_000, polling: 500 });
  const seen = await page.evaluate(() => window.storyStatuses);
  assert.deepEqual(
    seen.filter((s) => s.startsWith('Playing')),
    ['Playing: Simulate…', 'Playing: Learn…', 'Playing: Discover…', 'Playing: Extrapolate…'],
  );
  assert.match(seen.at(-1), /ran to its end/);
  const states = await page.$$eval('[data-testid=story] li', (items) => items.map((li) => li.dataset.state));
  assert.deepEqual(states, ['done', 'done', 'done', 'done']);
  // Each step left its result on the page: the classroom trajectory (about 1.8e4 jumps), the
  // preset's 3 epochs, a scan of N_W = 1..6, and the side-by-side summary.
  const jumps = Number(await page.getByTestId('trajectory').getAttribute('data-jumps'));
  assert.ok(jumps > 15_000 && jumps < 22_000, `${jumps} jumps`);
  assert.equal(await page.getByTestId('learn-stats').getAttribute('data-epochs'), '3');
  assert.equal(await page.getByTestId('discover-table').getAttribute('data-points'), '6');
  // Discover started each N_W from the network Learn had just trained (a warm start).
  assert.match(await page.getByTestId('discover-start').innerText(), /starts from the trained network's embeddings and encoder \(trained \d+ epochs? in Learn\)/);
  // The classroom preset keeps that network fixed: each N_W learns only its classes.
  assert.match(await page.getByTestId('discover-start').innerText(), /the network is kept fixed and only the classes learn/);
  assert.ok(await page.getByTestId('extrapolate-summary').isVisible());
  assert.equal(await page.getByTestId('messages').innerText(), '');
  await screenshot(page, 'story-desktop');
  // Each step's panel as a class sees it, on a laptop and on a phone.
  for (const [size, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    await page.setViewportSize(viewport);
    for (const step of ['simulate', 'learn', 'discover', 'extrapolate']) {
      await page.locator(`#${step}-panel`).screenshot({ path: `${artifactsDir}/step-${step}-${size}.png` });
    }
  }
  await screenshot(page, 'story-phone');
  assert.deepEqual(page.errors, []);
});

test('the settings are used with the keyboard alone: switch, choice, slider, folded advanced', async () => {
  const page = await openPage(browser, server.url + '?backend=cpu&L=12&T=20&epochs=1');
  // The hard constraint is a switch, off by default and labelled as a prior.
  await tabTo(page, 'field-hard');
  assert.equal(await page.getByTestId('field-hard').getAttribute('role'), 'switch');
  assert.equal(await page.getByTestId('field-hard').isChecked(), false);
  assert.match(await page.getByTestId('field-hard').getAttribute('aria-label'), /prior/);
  await page.keyboard.press('Space');
  assert.equal(await page.getByTestId('field-hard').isChecked(), true);
  // The mode is a choice.
  await page.keyboard.down('Shift');
  await tabTo(page, 'field-mode');
  await page.keyboard.up('Shift');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.getByTestId('field-mode').inputValue(), '2');
  // φ is a slider whose value is shown, and typed, beside it.
  await page.getByTestId('field-phi').focus();
  await page.keyboard.down('Shift');
  await page.keyboard.press('Tab');
  await page.keyboard.up('Shift');
  assert.equal(await page.evaluate(() => document.activeElement.type), 'range');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByTestId('field-phi').inputValue(), '0.125');
  // Fields show their range; the network's settings are folded away until opened.
  assert.match(await page.locator('label.setting', { has: page.getByTestId('field-L') }).innerText(), /an integer from 2 to 256/);
  assert.equal(await page.getByTestId('field-d_model').isVisible(), false);
  await page.locator('details.advanced summary').first().focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.getByTestId('field-d_model').isVisible(), true);
  // What was set reaches the link on the next run.
  await page.getByTestId('sim-run').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
  await page.getByTestId('learn-train').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.search.includes('hard=1') && location.search.includes('mode=2'));
  assert.match(await page.evaluate(() => location.search), /phi=0\.125/);
  await screenshot(page, 'controls-keyboard');
  assert.deepEqual(page.errors, []);
});

test('a run shows one events/s figure, the same in its stats and on its trajectory card', async () => {
  const page = await openPage(browser, server.url + '?backend=cpu&L=12&T=100');
  await page.getByTestId('sim-run').click();
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
  const stats = Number(await page.getByTestId('sim-rate').innerText());
  const card = await page.getByTestId('trajectory').innerText();
  const onCard = Number(card.match(/at (\d+) events\/s/)[1]);
  assert.ok(stats > 0);
  assert.equal(onCard, stats, `${card} vs ${stats}`);
  assert.deepEqual(page.errors, []);
});

/** Clicks `testId` and returns the download it starts: its suggested name and its bytes. */
async function download(page, testId) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const stream = await file.createReadStream();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { name: file.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

test('a chart is taken away as PNG, SVG and CSV, the network is looked into, and the link is copied', async () => {
  const page = await openPage(browser, server.url + '?backend=cpu&L=12&T=20&epochs=2&d_model=16&heads=2&d_ff=32');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByTestId('sim-run').click();
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
  await page.getByTestId('learn-train').click();
  await page.waitForFunction(() => {
    const stats = document.querySelector('[data-testid=learn-stats]');
    return stats.dataset.epochs === '2' && stats.dataset.training === 'false';
  }, null, { timeout: 300_000 });

  const csv = await download(page, 'export-learn-u-per-t-csv');
  assert.equal(csv.name, 'learn-u-per-t.csv');
  const rows = csv.bytes.toString('utf8').trim().split('\n');
  assert.equal(rows[0], 'series,"epoch","U/T",error');
  // Two epochs of training and of held-out U/T, and the dashed references (two points each).
  const training = rows.filter((r) => r.startsWith('"training",'));
  assert.equal(training.length, 2);
  const lastU = Number(await page.getByTestId('learn-stats').getAttribute('data-last-u'));
  assert.equal(Number(training[1].split(',')[2]), lastU);
  assert.ok(rows.some((r) => r.startsWith('"held-out",')));

  const svg = await download(page, 'export-learn-u-per-t-svg');
  assert.equal(svg.name, 'learn-u-per-t.svg');
  assert.match(svg.bytes.toString('utf8'), /^<svg[^>]*width="560"[^>]*height="320"/);
  assert.match(svg.bytes.toString('utf8'), /training/);

  const png = await download(page, 'export-learn-u-per-t-png');
  assert.equal(png.name, 'learn-u-per-t.png');
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  // What the network learned: a particle's learned rates beside the true ones, and a click on
  // another particle shows that one.
  await page.getByTestId('network-look').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=network-canvas]').dataset.particle === '0');
  const truths = await page.$$eval('[data-testid=network-moves] tr td:nth-child(3)', (cells) => cells.map((c) => Number(c.innerText)));
  assert.equal(truths.length, 6);
  assert.ok(truths.every((t) => [0.1, 10, 1, 0].includes(t)), `true rates ${truths}`);
  assert.equal(truths.filter((t) => t === 0.1).length, 2); // two rotations
  const learned = await page.$$eval('[data-testid=network-moves] td.learned-rate', (cells) => cells.map((c) => Number(c.innerText)));
  assert.ok(learned.length === 6 && learned.every((r) => r >= 0), `learned ${learned}`);
  const canvas = page.getByTestId('network-canvas');
  const [l, , second] = (await canvas.getAttribute('data-cells')).split(';');
  const [x, y] = second.split(',').map(Number);
  const box = await canvas.boundingBox();
  const cell = box.width / Number(l);
  await canvas.click({ position: { x: (x + 0.5) * cell, y: (Number(l) - 1 - y + 0.5) * cell } });
  await page.waitForFunction(() => document.querySelector('[data-testid=network-canvas]').dataset.particle === '1');
  await screenshot(page, 'network-view');

  await page.getByTestId('copy-link').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=copy-link-status]').innerText !== '');
  assert.match(await page.getByTestId('copy-link-status').innerText(), /^Link copied/);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, await page.evaluate(() => location.href));
  assert.match(copied, /d_model=16/);
  assert.deepEqual(page.errors, []);
});
