// Registers isolation-sw.js where the page is not cross-origin isolated (a static host without the
// headers). Done when the page is idle, never before the first pixels, and without a reload: this
// visit stays as it is, the next one is isolated.
let asked = false;

export function isolateLater() {
  if (asked) return;
  asked = true;
  if (self.crossOriginIsolated || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  const register = () => navigator.serviceWorker.register('isolation-sw.js').catch((e) => console.warn(`isolation service worker: ${e.message}`));
  if ('requestIdleCallback' in window) requestIdleCallback(register, { timeout: 5000 });
  else setTimeout(register, 2000);
}
