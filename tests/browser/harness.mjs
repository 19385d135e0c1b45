// Shared set-up for the browser tests: serve the built dist/ on loopback and drive the system
// Chromium headless through playwright-core.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const distDir = process.env.JUMPFORMER_DIST ?? join(here, '..', '..', 'dist');
export const artifactsDir = join(here, 'artifacts');

const mime = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml',
};

/**
 * Serves `dir` on 127.0.0.1 at a free port; resolves to { url, close }. Each file served is
 * appended to `requests` as { path, bytes }, when given.
 */
export async function serveDist(dir = distDir, { requests } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(dir, path === '' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      requests?.push({ path, bytes: body.length });
      res.writeHead(200, { 'content-type': mime[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404); res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  const close = () => new Promise((ok) => { server.close(ok); server.closeAllConnections(); });
  return { url: `http://127.0.0.1:${port}/`, close };
}

/** Flags that keep Chromium off the closed network (see shared/TOOLING.md). */
const quietFlags = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--disable-gpu-sandbox',
];

/** Launches headless Chromium; `webgpu: true` adds --enable-unsafe-webgpu (SwiftShader adapter). */
export async function launch({ webgpu }) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: webgpu ? [...quietFlags, '--enable-unsafe-webgpu'] : quietFlags,
  });
}

/** Opens a page that records uncaught errors, so a test can assert there were none. */
export async function openPage(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(String(err)));
  page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(msg.text()); });
  await page.goto(url);
  return page;
}

/** Saves a full-page screenshot under tests/browser/artifacts/. */
export async function screenshot(page, name) {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Loads the learner worker with the backend panel's button (the page starts with the simulation
 * worker only) and waits until it has chosen its backend, `kind` ('cpu' or 'gpu').
 */
export async function loadLearner(page, kind, timeout = 120_000) {
  await page.getByTestId('load-learner').click();
  await page.waitForSelector(`[data-testid=backend-badge][data-kind=${kind}]`, { timeout });
}

/** The page's own worker (simulation or learner), not one of the learner's helper workers. */
export async function mainWorker(page) {
  for (const worker of page.workers()) {
    if (await worker.evaluate(() => self.name) !== 'jumpformer-helper') return worker;
  }
  return undefined;
}

/** Waits until a training has ended (not running) with `epochs` epochs done. */
export async function trainingEnded(page, epochs = 1, timeout = 300_000) {
  await page.waitForFunction((n) => {
    const s = document.querySelector('[data-testid=learn-stats]').dataset;
    return s.training === 'false' && s.epochs === String(n);
  }, epochs, { timeout });
}
