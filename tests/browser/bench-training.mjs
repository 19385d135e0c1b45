// Not a test: training speed in headless Chromium, against the native CLI on the same trajectory
// and settings. Trains one epoch of the FA tutorial setting (L = 10, c = 0.3, T = 10^4; default
// network, steps of 128 configurations) and prints the page's seconds of training and of
// evaluation for that epoch. With --webgpu it trains on WebGPU (SwiftShader here) and also prints
// what the worker asked of the GPU per optimiser step: queue submissions, compute dispatches,
// read-backs (buffer mappings for reading, each a stall) and mappings for writing (upload
// staging buffers, no stall), with and without what happens between epochs. Usage
// (from tests/browser, after a release build of the page into dist/):
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
  // Per optimiser step: everything, and without what the worker does between epochs (the
  // evaluation of U/T and the model's backup copy, which it counts apart).
  const keys = ['submits', 'dispatches', 'readbacks', 'write_maps'];
  const delta = (k) => (after[k] ?? 0) - (before[k] ?? 0);
  const betweenEpochs = (k) => (after.between_epochs?.[k] ?? 0) - (before.between_epochs?.[k] ?? 0);
  const perStep = Object.fromEntries(keys.flatMap((k) => [
    [`${k}_per_step`, +(delta(k) / steps).toFixed(2)],
    [`${k}_per_optimiser_step`, +((delta(k) - betweenEpochs(k)) / steps).toFixed(2)],
    [`${k}_between_epochs`, betweenEpochs(k)],
  ]));
  console.log(JSON.stringify({
    setting: `fa L=10 c=0.3 T=${t}`, backend: webgpu ? 'webgpu' : 'cpu', workers, steps,
    train_seconds: train, eval_seconds: evaluation, seconds_per_step: train / steps,
    wall_seconds: wall, ...perStep, errors: page.errors,
  }));
} finally {
  await browser.close();
  await server.close();
}
