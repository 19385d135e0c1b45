// The page in Firefox (Debian's firefox-esr, driven over WebDriver BiDi by puppeteer-core): it
// falls back to the CPU and says why, simulates the same trajectory as the native CLI, trains,
// and runs by keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import puppeteer from 'puppeteer-core';
import { serveDist, artifactsDir } from './harness.mjs';

let server, browser;
before(async () => {
  server = await serveDist();
  browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
    headless: true,
  });
});
after(async () => { await browser.close(); await server.close(); });

/** A page that records uncaught errors and console errors. */
async function open(query) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(String(err)));
  page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(msg.text()); });
  await page.goto(server.url + query);
  return page;
}

const data = (page, testId, key) => page.$eval(`[data-testid=${testId}]`, (e, k) => e.dataset[k], key);

test('Firefox: the CPU backend with its reason, the CLI trajectory, a training epoch', async () => {
  const page = await open('?L=12&T=20&epochs=1&d_model=16&heads=2&d_ff=32');
  await page.waitForSelector('[data-testid=backend-badge][data-kind=unloaded]', { timeout: 120_000 });
  await page.click('[data-testid=load-learner]');
  await page.waitForSelector('[data-testid=smoke][data-state=done]', { timeout: 120_000 });
  assert.equal(await data(page, 'backend-badge', 'kind'), 'cpu');
  // firefox-esr has no WebGPU on Linux: the page says so rather than failing.
  assert.match(await page.$eval('[data-testid=backend-reason]', (e) => e.textContent), /WebGPU/);

  await page.click('[data-testid=sim-run]');
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
  const cli = JSON.parse(execFileSync(process.env.JUMPFORMER_BIN,
    ['simulate', '--preset', 'classroom', '--T', '20', '--json']).toString());
  assert.equal(Number(await data(page, 'trajectory', 'jumps')), cli.events);
  assert.ok(Math.abs(Number(await data(page, 'trajectory', 'uPerT')) - cli.U_per_T) < 1e-9);

  // Keyboard alone: focus Train and press Enter.
  await page.focus('[data-testid=learn-train]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=learn-stats]').dataset.epochs === '1',
    { timeout: 300_000 });
  assert.ok(Number.isFinite(Number(await data(page, 'learn-stats', 'lastU'))));
  await mkdir(artifactsDir, { recursive: true });
  await page.screenshot({ path: `${artifactsDir}/firefox-learn.png`, fullPage: true });
  assert.deepEqual(page.errors, []);
});
