// Not a test: training speed in headless Chromium, against the native CLI on the same trajectory
// and settings. Trains one epoch of the FA tutorial setting (L = 10, c = 0.3, T = 10^4; default
// network, steps of 128 configurations) and prints the page's seconds of training and of
// evaluation for that epoch. With --webgpu it trains on WebGPU (SwiftShader here) and also prints
// what the worker asked of the GPU per optimiser step: queue submissions, compute dispatches and
// read-backs (buffer mappings, each a stall). Usage (from tests/browser, after a release build of
// the page into dist/):
//   node bench-training.mjs [T] [--webgpu] [--workers=N]
// --workers=N sets the page's `workers` (CPU workers sharing each step; default 0, one per core).
import { serveDist, launch, openPage, loadLearner, mainWorker } from './harness.mjs';

const args = process.argv.slice(2);
const webgpu = args.includes('--webgpu');
const [t = '10000'] = args.filter((a) => !a.startsWith('--'));
const workers = (args.find((a) => a.startsWith('--workers=')) ?? '--workers=0').split('=')[1];
const server = await serveDist();
const browser = await launch({ webgpu });
try {
  const page = await openPage(browser, `${server.url}?model=fa&L=10&c=0.3&T=${t}&burn_in=0&seed=1`
    + `&mode=1&epochs=1&segment=128&hard=0&lseed=1&backend=${webgpu ? 'auto' : 'cpu'}&workers=${workers}`);
  await loadLearner(page, webgpu ? 'gpu' : 'cpu', 300_000);
  await page.waitForSelector('[data-testid=smoke][data-state=done]', { timeout: 300_000 });
  await page.getByTestId('sim-run').click();
  await page.waitForSelector('[data-testid=trajectory]', { timeout: 180_000 });
  const counts = async () => {
    const worker = await mainWorker(page);
    return worker.evaluate(() => ({ ...(self.jumpformerGpuCounts ?? {}) }));
  };
  const before = await counts();
  const start = Date.now();
  await page.getByTestId('learn-train').click();
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid=learn-stats]').dataset;
    return s.training === 'false' && Number(s.epochs) === 1;
  }, null, { timeout: 3_600_000 });
  const wall = (Date.now() - start) / 1000;
  const after = await counts();
  const stats = page.getByTestId('learn-stats');
  const train = Number(await stats.getAttribute('data-train-seconds'));
  const evaluation = Number(await stats.getAttribute('data-eval-seconds'));
  const steps = Number(await stats.getAttribute('data-steps'));
  // The epoch's counts include its evaluation pass; per step is an upper bound for training.
  const perStep = Object.fromEntries(Object.keys(after)
    .map((k) => [`${k}_per_step`, +((after[k] - (before[k] ?? 0)) / steps).toFixed(2)]));
  console.log(JSON.stringify({
    setting: `fa L=10 c=0.3 T=${t}`, backend: webgpu ? 'webgpu' : 'cpu', workers, steps,
    train_seconds: train, eval_seconds: evaluation, seconds_per_step: train / steps,
    wall_seconds: wall, ...perStep, errors: page.errors,
  }));
} finally {
  await browser.close();
  await server.close();
}
