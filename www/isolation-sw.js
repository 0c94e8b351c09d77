// A service worker of the site's own, for static hosts that cannot send headers: it re-serves this
// origin's responses with the cross-origin isolation headers (COOP same-origin, COEP require-corp),
// so that a visit after the first one is cross-origin isolated (SharedArrayBuffer, hence wasm
// threads). The dev server sends these headers itself; there this worker only passes responses on.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // Other origins' files are left alone (the page loads none), as are requests a worker may not replay.
  if (new URL(request.url).origin !== self.location.origin) return;
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.status === 0 || response.type === 'opaque') return response;
      const headers = new Headers(response.headers);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
      headers.set('Cross-Origin-Resource-Policy', 'same-origin');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});
