// Reads a Server-Sent Events response with plain fetch, as any HTTP client
// can: events in arrival order, comments (heartbeats) counted, and whether the
// server ended the stream itself.
export interface ServerSentEvent {
  event: string;
  data: string;
}

export interface EventStreamRead {
  status: number;
  contentType: string | null;
  events: ServerSentEvent[];
  comments: number;
  /** True when the server closed the stream (false: we stopped reading at the deadline). */
  ended: boolean;
  body: string;
}

export async function readEventStream(
  url: string,
  headers: Record<string, string>,
  options: {
    timeoutMs?: number;
    until?: (events: ServerSentEvent[]) => boolean;
    onEvent?: (event: ServerSentEvent) => void;
  } = {},
): Promise<EventStreamRead> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const contentType = response.headers.get('content-type');
  if (!contentType?.startsWith('text/event-stream')) {
    return { status: response.status, contentType, events: [], comments: 0, ended: true, body: await response.text() };
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const deadline = setTimeout(() => controller.abort(), options.timeoutMs ?? 60_000);
  const events: ServerSentEvent[] = [];
  let comments = 0;
  let buffer = '';
  let ended = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      for (const block of blocks) {
        const lines = block.split('\n');
        if (lines.every((line) => line.startsWith(':'))) comments++;
        const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
        if (data.length > 0) {
          const received = { event, data: data.join('\n') };
          events.push(received);
          options.onEvent?.(received);
        }
      }
      if (options.until?.(events)) {
        controller.abort();
        break;
      }
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(deadline);
  }
  return { status: response.status, contentType, events, comments, ended, body: '' };
}
