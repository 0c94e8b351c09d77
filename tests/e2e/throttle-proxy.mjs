// A slow link in front of the dev server, at the TCP level: every connection the browser opens (the
// page's, its workers', its service worker's) pays a round trip to connect and shares one paced link
// each way, as a visitor's would. DevTools' emulation throttles only the targets it is attached to.
// Not modelled: TCP slow start and loss, so a real link of the same rate is a little slower.

import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** Listens on a free port and forwards to 127.0.0.1:upstreamPort at `mbit` each way with `rttMs`. */
export async function startThrottle(upstreamPort, { mbit = 10, rttMs = 80 } = {}) {
  const bytesPerMs = (mbit * 1e6) / 8 / 1000;
  const oneWay = rttMs / 2;
  const links = { up: { freeAt: 0 }, down: { freeAt: 0 } };
  const stats = { connections: 0, bytesDown: 0 };

  // Chunks leave in order once the link is free, take their bytes' time on it, and arrive one way
  // later. One queue per connection and direction, drained by one timer at a time, so no two timers
  // can ever reorder the stream.
  function pace(link, from, to, count) {
    const queue = [];
    let timer = null;
    let ended = false;
    const drain = () => {
      timer = null;
      const now = performance.now();
      while (queue.length && queue[0].at <= now + 0.5) {
        const { chunk } = queue.shift();
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length) timer = setTimeout(drain, Math.max(0, queue[0].at - performance.now()));
      else if (ended && !to.destroyed) to.end();
    };
    from.on('data', (chunk) => {
      const now = performance.now();
      link.freeAt = Math.max(now, link.freeAt) + chunk.length / bytesPerMs;
      const last = queue.length ? queue[queue.length - 1].at : 0;
      queue.push({ chunk, at: Math.max(link.freeAt + oneWay, last) });
      if (count) stats.bytesDown += chunk.length;
      if (!timer) timer = setTimeout(drain, Math.max(0, queue[0].at - now));
    });
    from.on('end', () => { ended = true; if (!timer) drain(); });
  }

  const sockets = new Set();
  const server = net.createServer((client) => {
    stats.connections += 1;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => upstream.end());
    pace(links.up, client, upstream, false);
    pace(links.down, upstream, client, true);
    // The handshake: nothing the client sends leaves before one round trip has passed.
    client.pause();
    setTimeout(() => client.resume(), rttMs);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    base: `http://127.0.0.1:${port}/`,
    stats,
    describe: `${mbit} Mbit/s each way, ${rttMs} ms round trip (TCP proxy)`,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(resolve); }),
  };
}
