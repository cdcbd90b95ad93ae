// Security headers (@fastify/helmet) on everything Fastify answers: the web UI
// gets a Content-Security-Policy that allows only its own scripts and the
// inline styles Uppy sets on elements; framing is refused everywhere.
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Uppy (Preact) writes style attributes, e.g. progress bar widths.
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Thumbnails and Golden Retriever's restored files are blob: URLs.
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // The API is also called from other origins when CORS_ORIGINS allows it.
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
}
