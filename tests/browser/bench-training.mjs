// Not a test: training speed in headless Chromium on the CPU backend, against the native CLI on
// the same trajectory and settings. Trains one epoch of the FA tutorial setting (L = 10, c = 0.3,
// T = 10^4; default network, steps of 128 configurations) and prints the page's seconds of
// training and of evaluation for that epoch. Usage (from tests/browser, after a release build
// of the page into dist/):
//   node bench-training.mjs [T]
import { serveDist, launch, openPage, loadLearner } from './harness.mjs';

const [t = '10000'] = process.argv.slice(2);
const server = await serveDist();
const browser = await launch({ webgpu: false });
try {
  const page = await openPage(browser, `${server.url}?model=fa&L=10&c=0.3&T=${t}&burn_in=0&seed=1`
    + '&mode=1&epochs=1&segment=128&hard=0&lseed=1&backend=cpu');
  await loadLearner(page, 'cpu');
  await page.getByTestId('sim-run').click();
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 180_000 });
  const start = Date.now();
  await page.getByTestId('learn-train').click();
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid=learn-stats]').dataset;
    return s.training === 'false' && Number(s.epochs) === 1;
  }, null, { timeout: 3_600_000 });
  const wall = (Date.now() - start) / 1000;
  const stats = page.getByTestId('learn-stats');
  const train = Number(await stats.getAttribute('data-train-seconds'));
  const evaluation = Number(await stats.getAttribute('data-eval-seconds'));
  const steps = Number(await stats.getAttribute('data-steps'));
  console.log(JSON.stringify({
    setting: `fa L=10 c=0.3 T=${t}`, steps, train_seconds: train, eval_seconds: evaluation,
    seconds_per_step: train / steps, wall_seconds: wall, errors: page.errors,
  }));
} finally {
  await browser.close();
  await server.close();
}
