// Mounts the tus protocol at /files as an encapsulated plugin: request bodies
// pass through untouched (streamed to disk by @tus/server), every verb but
// OPTIONS is authenticated, an upload id answers only to its owner, and the
// protocol rules @tus/server lacks are applied around it (tus-protocol-gate).
// Requests with Upload-Draft-Interop-Version speak the IETF resumable-upload
// draft instead and are answered by server/tus/draft on the same store.
import type { IncomingMessage } from 'node:http';
import { EVENTS, type Server } from '@tus/server';
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { notFound } from '../errors.ts';
import { findUploadOwner } from '../uploads/owned-upload.ts';
import { prepareConcatCreation } from './concat-creation.ts';
import { parseContentDigest } from './draft/content-digest.ts';
import { INTEROP_HEADER, isDraftRequest, knownInteropVersion } from './draft/draft-headers.ts';
import { uploadLimit } from './draft/draft-response-headers.ts';
import { isDraftMethod, type ServeDraftDeps, serveDraft } from './draft/serve-draft.ts';
import { KnownUploads, ownedUploadFacts } from './known-uploads.ts';
import { contextOf, runWithRequestContext, setRequestContext, type TusRequestContext } from './request-context.ts';
import { requestHeader } from './request-headers.ts';
import { adjustResponseHeaders, type HeaderAdjuster } from './response-headers.ts';
import { serveTus } from './serve-tus.ts';
import { ProtocolError } from './tus-errors.ts';
import { TUS_CHECKSUM_ALGORITHMS, tusExtensions } from './tus-extensions.ts';
import { applyMethodOverride, type CheckedHeaders, checkTusHeaders } from './tus-protocol-gate.ts';
import { TUS_PATH } from './tus-server.ts';
import { UploadFileStore } from './upload-file-store.ts';
import type { UploadProtocolInfo, UploadStore } from './upload-store.ts';

export interface TusRoutesOptions {
  tusServer: Server;
  /** The tus server's datastore. */
  store: UploadStore;
  db: Kysely<Database>;
  authenticate: (request: FastifyRequest) => Promise<void>;
  /** GET /files/:id serves the owner's raw file; false answers 404 (ALLOW_DOWNLOADS). */
  allowDownloads?: boolean;
  /** What the resumable-upload draft needs beside the store (the tus server's locker and hooks). */
  draft: Omit<ServeDraftDeps, 'store'>;
}

/** The upload id in /files/<id>, or null for the collection URL. */
function uploadIdOf(url: string): string | null {
  const path = url.split('?')[0] ?? '';
  const rest = path.slice(TUS_PATH.length).replace(/^\/+/, '').replace(/\/+$/, '');
  return rest === '' ? null : rest;
}

/** 400 for a request relying on an extension this server's storage does not offer (S3). */
function extensionNotOffered(extension: string, header: string): ProtocolError {
  return new ProtocolError(
    400,
    'invalid_request',
    `This server does not offer the tus ${extension} extension with its storage (see Tus-Extension): send the request without ${header}`,
  );
}

/** The headers tus asks for that @tus/server does not send, set on its response as it goes out. */
function protocolResponseHeaders(
  request: FastifyRequest,
  options: TusRoutesOptions,
  info?: UploadProtocolInfo,
): HeaderAdjuster {
  const { method } = request;
  const { store } = options;
  return (status, headers) => {
    if (status === 503) headers.set('Retry-After', '2');
    // A draft client discovering limits with OPTIONS (the preflight of a browser sends no such header).
    const version = method === 'OPTIONS' ? knownInteropVersion(request.raw) : undefined;
    if (version !== undefined && status < 300) {
      headers.set(INTEROP_HEADER, String(version));
      headers.set('Upload-Limit', uploadLimit({ maxFileSize: options.draft.maxFileSize, expirationMs: 0 }));
    }
    if (method === 'OPTIONS' && status < 300) {
      headers.set('Tus-Extension', tusExtensions(store.getExpiration() > 0, store.features));
      if (store.features.checksum) headers.set('Tus-Checksum-Algorithm', TUS_CHECKSUM_ALGORITHMS);
    }
    if (method === 'HEAD') {
      headers.set('Cache-Control', 'no-store');
      // Exactly as the client sent them at creation (binary values survive no UTF-8 round trip).
      if (status === 200 && info?.rawMetadata !== undefined) headers.set('Upload-Metadata', info.rawMetadata);
      if (status === 200 && info?.concat !== undefined) headers.set('Upload-Concat', info.concat);
    }
    // @tus/server dates it from the activity before this PATCH; it counts from this one.
    if (method === 'PATCH' && status === 204 && headers.has('upload-expires')) {
      headers.set('Upload-Expires', new Date(Date.now() + store.getExpiration()).toUTCString());
    }
  };
}

/** A draft request's Upload-Metadata (recorded as tus records it) and Content-Digest (verified like a tus checksum). */
function draftCheckedHeaders(raw: IncomingMessage): CheckedHeaders {
  const metadata = requestHeader(raw, 'upload-metadata');
  const digest = requestHeader(raw, 'content-digest');
  return { rawMetadata: metadata, checksum: digest === undefined ? undefined : parseContentDigest(digest) };
}

export async function tusRoutes(app: FastifyInstance, options: TusRoutesOptions): Promise<void> {
  const { store } = options;
  const recordedInfo = new WeakMap<IncomingMessage, UploadProtocolInfo>();
  // Each chunk of an upload after the first costs no query and no info read.
  const known = new KnownUploads();
  const lookUp = { owner: (id: string) => findUploadOwner(options.db, id), info: (id: string) => store.uploadInfo(id) };
  options.tusServer.on(EVENTS.POST_TERMINATE, (_request, _response, id) => known.forget(id));

  // Leave the body stream alone: @tus/server reads it and writes it to disk.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  // Before anything reads the method: auth, metrics and @tus/server all see the overriding one.
  app.addHook('onRequest', async (request, reply) => {
    applyMethodOverride(request.raw);
    // tus answers carry Tus-Resumable even when Fastify or we refuse before reaching @tus/server.
    if (request.method !== 'OPTIONS' && !isDraftRequest(request.raw)) reply.header('Tus-Resumable', '1.0.0');
  });

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'OPTIONS') return;
    // Hijacked replies bypass Fastify's headers: set the request id on the raw response.
    reply.raw.setHeader('X-Request-Id', request.id);
    await options.authenticate(request);
    const owner = request.owner as string;
    const id = uploadIdOf(request.url);
    const context: TusRequestContext = { owner, requestId: request.id, raw: request.raw };
    try {
      // GET is the download of a finished upload, not a tus request; the draft has its own headers.
      const draft = isDraftRequest(request.raw) && isDraftMethod(request.method);
      const checked =
        request.method === 'GET' ? {} : draft ? draftCheckedHeaders(request.raw) : checkTusHeaders(request.raw);
      if (id !== null) {
        // Same answer for a malformed id, an unknown id and another owner's id.
        const facts = await ownedUploadFacts(known, lookUp, owner, id);
        if (!facts) throw notFound();
        if (request.method === 'GET' && options.allowDownloads === false) throw notFound();
        const info = facts.info;
        if (info) recordedInfo.set(request.raw, info);
        if (request.method === 'PATCH' && info?.concat?.startsWith('final')) {
          throw new ProtocolError(403, 'forbidden', 'A final upload is assembled from its partials and takes no PATCH');
        }
      }
      // Extensions the store cannot honour are not announced; a client using one anyway hears why.
      if (checked.checksum && !store.features.checksum) {
        throw draft
          ? new ProtocolError(
              400,
              'invalid_request',
              'This server cannot verify Content-Digest with its storage: send the content without it',
            )
          : extensionNotOffered('checksum', 'Upload-Checksum');
      }
      context.rawMetadata = checked.rawMetadata;
      context.checksum = checked.checksum;
      if (checked.concat) {
        if (!(store instanceof UploadFileStore)) throw extensionNotOffered('concatenation', 'Upload-Concat');
        if (id === null) {
          context.concat = await prepareConcatCreation(
            { db: options.db, store, basePath: TUS_PATH },
            owner,
            request.raw,
            checked.concat,
          );
        }
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return reply.code(error.status_code).headers(error.headers).type('application/json').send(error.body);
    }
    setRequestContext(request.raw, context);
  });

  const draftDeps: ServeDraftDeps = { ...options.draft, store };
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    if (isDraftRequest(request.raw) && isDraftMethod(request.method)) {
      return serveDraft(draftDeps, request, reply, uploadIdOf(request.url));
    }
    reply.hijack();
    adjustResponseHeaders(reply.raw, protocolResponseHeaders(request, options, recordedInfo.get(request.raw)));
    const context = contextOf(request.raw);
    const serve = () => serveTus(options.tusServer, request.raw, reply.raw);
    try {
      await (context ? runWithRequestContext(context, serve) : serve());
    } catch (error) {
      // Typically the client went away mid-response; never let it escape as a crash.
      request.log.warn({ err: error }, 'tus response could not be completed');
      if (!reply.raw.headersSent) reply.raw.writeHead(500).end();
      else reply.raw.destroy();
    }
  };
  // @tus/server answers CORS for /files itself (preflights allow the tus and draft headers):
  // @fastify/cors, there for /api, would answer tus preflights with its own short header list.
  // (@fastify/cors reads `config.cors` but declares no type for it.)
  const route = { config: { cors: false } as FastifyContextConfig };
  app.all(TUS_PATH, route, handle);
  app.all(`${TUS_PATH}/*`, route, handle);
}
