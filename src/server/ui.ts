import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Paths that are never the UI: an unknown one of them is a JSON 404, not the app's page. */
const NOT_UI = ['/api/', '/metrics', '/healthz', '/readyz'];

/**
 * Serves the built web UI (`npm run build` puts it in dist/web) from this origin, nothing from a
 * CDN. Hashed assets are cached for good; index.html never, so a new build is picked up at once.
 * Any other GET that accepts HTML gets index.html: the app routes on the client.
 */
export function registerUi(app: FastifyInstance, uiDir: string): void {
  const built = existsSync(join(uiDir, 'index.html'));
  if (built) {
    void app.register(fastifyStatic, {
      root: uiDir,
      prefix: '/',
      cacheControl: false,
      setHeaders: (reply, path) => {
        reply.header('Cache-Control', path.startsWith(join(uiDir, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const wantsPage = request.method === 'GET' && !NOT_UI.some((prefix) => path.startsWith(prefix)) && (request.headers.accept ?? '').includes('text/html');
    if (!wantsPage) return reply.code(404).send({ error: `no route ${request.method} ${path}; see /api/v1/openapi.json` });
    if (!built) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The web UI is not built in ${uiDir}. Run npm run build (npm install does it), then restart vigil serve. The API answers under /api/v1.`);
    }
    return reply.sendFile('index.html');
  });
}
