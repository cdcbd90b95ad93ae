// The page: get a token, read the service's limits, then start the upload
// queue and the import panel that follows every upload of this owner.
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import './style.css';
import { ApiClient, ApiError } from './api-client.ts';
import { ImportPanel } from './import-panel.ts';
import type { ServiceConfig } from './service-types.ts';
import { TokenGate } from './token-gate.ts';
import { createUploader } from './uploader.ts';

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

const MAX_NOTICES = 5;

/** Messages that stay until replaced by newer ones (Uppy's informer fades after a few seconds). */
function createNotices(container: HTMLElement): (message: string) => void {
  return (message) => {
    const line = document.createElement('p');
    line.textContent = message;
    container.prepend(line);
    while (container.children.length > MAX_NOTICES) container.lastElementChild?.remove();
  };
}

async function loadConfig(api: ApiClient, tokens: TokenGate): Promise<ServiceConfig> {
  for (;;) {
    await tokens.current();
    try {
      return await api.json<ServiceConfig>('/api/config');
    } catch (error) {
      // A refused token already brought the form back; wait for the next one.
      if (error instanceof ApiError && error.status === 401) await tokens.ask(error.message);
      else throw error;
    }
  }
}

async function start(): Promise<void> {
  const tokens = new TokenGate({
    section: byId('token-section'),
    form: byId('token-form'),
    input: byId('token-input'),
    reason: byId('token-reason'),
    changeButton: byId('change-token'),
  });
  tokens.takeFromFragment();
  const api = new ApiClient(tokens);
  const config = await loadConfig(api, tokens);

  const panel = new ImportPanel(
    api,
    tokens,
    { list: byId('imports'), status: byId('imports-status'), refreshButton: byId('refresh-imports') },
    config.importTargets ?? [],
  );
  const reviewToggle = byId<HTMLInputElement>('review-toggle');
  createUploader({
    target: byId('dashboard'),
    config,
    api,
    tokens,
    notify: createNotices(byId('upload-notices')),
    reviewWanted: () => reviewToggle.checked,
    onUploadStarted: (id) => panel.uploadStarted(id),
    onUploadFinished: (id) => panel.uploadFinished(id),
  });
  byId('upload-section').hidden = false;
  byId('imports-section').hidden = false;
  await panel.refresh();
  document.body.dataset.ready = 'true';
}

start().catch((error: unknown) => {
  const main = document.querySelector('main');
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.textContent = `The page could not start: ${error instanceof Error ? error.message : String(error)}`;
  main?.prepend(message);
});
