// The page's service worker: it keeps the page, its wasm and its simulation worker, so that a
// class that opened the page once can open it again without a network. The learner worker (most
// of the download) is kept once it has been loaded, the first time something was learned. Online,
// every request goes to the network first (so a new version is picked up at once) and refreshes
// the copy; offline, the copy answers.
const CACHE = 'jumpformer';
const FILES = [
  './', './index.html', './style.css',
  './jumpformer-app.js', './jumpformer-app_bg.wasm',
  './jumpformer-sim-worker_loader.js', './jumpformer-sim-worker.js',
  './jumpformer-sim-worker_bg.wasm',
];

self.addEventListener('install', (event) => {
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)));
});

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.open(CACHE)
        .then((cache) => cache.match(request, { ignoreSearch: true }))
        .then((cached) => cached ?? Response.error())),
  );
});
