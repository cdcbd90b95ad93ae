// Where the page's API token comes from: the URL fragment (`/#token=…`, as
// printed by `pnpm start`), this browser's storage, or the token form, which
// comes back whenever the service answers 401.
const STORAGE_KEY = 'csv-upload:token';

export interface TokenGateElements {
  section: HTMLElement;
  form: HTMLFormElement;
  input: HTMLInputElement;
  reason: HTMLElement;
  changeButton: HTMLButtonElement;
}

export class TokenGate {
  #pending: Promise<string> | null = null;
  #listeners: Array<(token: string) => void> = [];

  constructor(private readonly elements: TokenGateElements) {
    elements.changeButton.addEventListener('click', () => {
      void this.ask('Paste another API token.');
    });
  }

  get token(): string | null {
    return localStorage.getItem(STORAGE_KEY);
  }

  /** Takes `#token=…` from the address, keeps it, and removes it from the visible URL. */
  takeFromFragment(): void {
    const params = new URLSearchParams(location.hash.slice(1));
    const token = params.get('token')?.trim();
    if (!token) return;
    localStorage.setItem(STORAGE_KEY, token);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  }

  /** Calls `listener` with every token entered in the form after start-up. */
  onChange(listener: (token: string) => void): void {
    this.#listeners.push(listener);
  }

  /** Shows the form (once, however many requests were refused) and resolves with the new token. */
  ask(reason: string): Promise<string> {
    const { section, form, input, reason: reasonElement, changeButton } = this.elements;
    reasonElement.textContent = reason;
    if (this.#pending) return this.#pending;
    section.hidden = false;
    changeButton.hidden = true;
    input.value = '';
    input.focus();
    this.#pending = new Promise<string>((resolve) => {
      const submit = (event: SubmitEvent) => {
        event.preventDefault();
        const token = input.value.trim();
        if (!token) return;
        form.removeEventListener('submit', submit);
        localStorage.setItem(STORAGE_KEY, token);
        section.hidden = true;
        changeButton.hidden = false;
        this.#pending = null;
        resolve(token);
        for (const listener of this.#listeners) listener(token);
      };
      form.addEventListener('submit', submit);
    });
    return this.#pending;
  }

  /** Resolves with a token: the stored one, or one asked for. */
  async current(): Promise<string> {
    const token = this.token;
    if (token) {
      this.elements.changeButton.hidden = false;
      return token;
    }
    return this.ask('Paste your API token to start.');
  }
}
