// Not a test: training speed in headless Firefox (Debian's firefox-esr, over WebDriver BiDi),
// the setting of bench-training.mjs (FA tutorial, one epoch, default network, steps of 128
// configurations, CPU backend: firefox-esr has no WebGPU on Linux). Prints the page's seconds of
// training and of evaluation for that epoch. Usage (from tests/browser, after a release build of
// the page into dist/):
//   node bench-training-firefox.mjs [--workers=N]
import puppeteer from 'puppeteer-core';
import { serveDist } from './harness.mjs';

const workers = (process.argv.find((a) => a.startsWith('--workers=')) ?? '--workers=0').split('=')[1];
const server = await serveDist();
const browser = await puppeteer.launch({
  browser: 'firefox', executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr', headless: true,
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${server.url}?model=fa&L=10&c=0.3&T=10000&burn_in=0&seed=1&mode=1&epochs=1`
    + `&segment=128&hard=0&lseed=1&backend=cpu&workers=${workers}`);
  await page.waitForSelector('[data-testid=backend-badge][data-kind=unloaded]', { timeout: 120_000 });
  await page.click('[data-testid=load-learner]');
  await page.waitForSelector('[data-testid=smoke][data-state=done]', { timeout: 120_000 });
  const backend = await page.$eval('[data-testid=backend-badge]', (e) => e.textContent);
  await page.click('[data-testid=sim-run]');
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 120_000 });
  await page.click('[data-testid=learn-train]');
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid=learn-stats]').dataset;
    return s.training === 'false' && Number(s.epochs) === 1;
  }, { timeout: 3_600_000, polling: 1000 });
  const stats = await page.$eval('[data-testid=learn-stats]', (e) => ({ ...e.dataset }));
  const steps = Number(stats.steps);
  console.log(JSON.stringify({
    setting: 'fa L=10 c=0.3 T=10000', browser: 'firefox', backend, workers, steps,
    train_seconds: Number(stats.trainSeconds), eval_seconds: Number(stats.evalSeconds),
    seconds_per_step: Number(stats.trainSeconds) / steps, u_per_t: Number(stats.lastU), errors,
  }));
} finally {
  await browser.close();
  await server.close();
}
