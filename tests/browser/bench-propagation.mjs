// Not a test: measures learned-dynamics propagation in headless Chromium (CPU backend), moves per
// second of wall time per replica count, exact loop and tau-leap. Usage:
//   node bench-propagation.mjs MODEL.jfmodel L T_EXACT T_TAU [replica counts...]
import { readFileSync } from 'node:fs';
import { serveDist, launch, openPage, loadLearner } from './harness.mjs';

const [model, l = '12', tExact = '1', tTau = '3', ...counts] = process.argv.slice(2);
const replicas = counts.length ? counts.map(Number) : [1, 4, 16];
const server = await serveDist();
const browser = await launch({ webgpu: false });
try {
  for (const tau of [0, 0.01]) {
    for (const r of replicas) {
      const page = await openPage(browser, `${server.url}?model=active-lattice&L=${l}&phi=0.1244&T=1&burn_in=0&seed=1`
        + `&x_phi=0.3&x_T=${tau ? tTau : tExact}&x_burn_in=0&replicas=${r}&tau=${tau}&backend=cpu`);
      await loadLearner(page, 'cpu');
      await page.getByTestId('learn-load').setInputFiles({ name: 'm.jfmodel', mimeType: 'application/octet-stream', buffer: readFileSync(model) });
      await page.waitForFunction(() => document.querySelector('[data-testid=learn-model]').innerText.includes('loaded'), null, { timeout: 60_000 });
      const start = Date.now();
      await page.getByTestId('extrapolate-side').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=extrapolate-stats]').dataset.done === 'true', null, { timeout: 600_000 });
      const seconds = (Date.now() - start) / 1000;
      const jumps = Number(await page.getByTestId('extrapolate-stats').getAttribute('data-jumps'));
      console.log(JSON.stringify({ tau, replicas: r, jumps, seconds, moves_per_s: jumps / seconds }));
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
