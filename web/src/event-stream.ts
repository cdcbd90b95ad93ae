// Reads a Server-Sent Events stream with fetch() rather than EventSource, so
// the token travels in the Authorization header (never in a URL) and a 401 or
// 404 can be told apart from a dropped connection.
export interface EventStreamHandlers {
  onEvent(type: string, data: string): void;
  /** The stream ended or broke; `status` is set when the server refused it. */
  onClose(result: { status?: number }): void;
}

export interface EventStream {
  close(): void;
}

/** Splits `text` into complete events; returns the unfinished tail. */
function dispatchEvents(text: string, handlers: EventStreamHandlers): string {
  const blocks = text.replaceAll('\r\n', '\n').split('\n\n');
  const tail = blocks.pop() ?? '';
  for (const block of blocks) {
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue; // comment: the server's heartbeat
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) handlers.onEvent(type, data.join('\n'));
  }
  return tail;
}

export function openEventStream(url: string, token: string | null, handlers: EventStreamHandlers): EventStream {
  const controller = new AbortController();
  let closed = false;
  const finish = (result: { status?: number }) => {
    if (closed) return;
    closed = true;
    handlers.onClose(result);
  };

  void (async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: 'text/event-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        signal: controller.signal,
        cache: 'no-store',
      });
      if (!response.ok || !response.body) {
        finish({ status: response.status });
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done || closed) break;
        buffer = dispatchEvents(buffer + value, handlers);
      }
      finish({});
    } catch {
      finish({});
    }
  })();

  return {
    close() {
      closed = true;
      controller.abort();
    },
  };
}
