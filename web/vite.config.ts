// Builds the dashboard into web/dist, which the service serves at /. In
// development (`pnpm --dir web dev`) the API and tus go to a local `pnpm start`.
import { defineConfig } from 'vite';

const service = process.env.SERVICE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/api': service, '/files': service } },
});
