/** The fetch signature the OpenAI SDK takes in its `fetch` option. */
export type ProviderFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** One server-sent event ends at a blank line (any of the three line endings SSE allows). */
const EVENT_END = /\r\n\r\n|\n\n|\r\r/;

/** A usage object in an event, the only events worth parsing twice (the SDK parses every event itself). */
const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/**
 * How long the rest of a stream ([DONE], the end) is read after its usage chunk, only so that the connection can be
 * reused; a provider still open after that is cut off.
 */
const DRAIN_MS = 5_000;

/**
 * A fetch whose chat-completions event streams end right after their usage-only chunk (`"choices": []` with the
 * usage, what `stream_options.include_usage` adds last, before `[DONE]`). LangChain holds that chunk back until the
 * stream ends, so the call's inactivity timeout saw nothing after the finish chunk, and a provider that paused
 * longer than the timeout before `[DONE]` failed a run whose whole answer had been streamed. Nothing follows that
 * chunk but `[DONE]`, so the call can finish as soon as it arrives. Other responses pass through untouched.
 */
export function endStreamsAtUsage(base: ProviderFetch): ProviderFetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (!response.body || !response.headers.get("content-type")?.includes("text/event-stream")) return response;
    return new Response(untilUsageChunk(response.body), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** The events of `body` up to and including the usage-only chunk, then `[DONE]` and the end. */
function untilUsageChunk(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = "";
  return new ReadableStream<Uint8Array>({
    // A pull must enqueue something (or close): the stream does not ask again after a pull that enqueued nothing.
    async pull(controller) {
      for (let passed = false; !passed; ) {
        const { done, value } = await reader.read();
        if (done) {
          pending += decoder.decode();
          if (pending) controller.enqueue(encoder.encode(pending));
          controller.close();
          return;
        }
        pending += decoder.decode(value, { stream: true });
        // Whole events only: one is passed on as soon as its blank line arrives.
        for (let end = EVENT_END.exec(pending); end; end = EVENT_END.exec(pending)) {
          const event = pending.slice(0, end.index + end[0].length);
          pending = pending.slice(event.length);
          controller.enqueue(encoder.encode(event));
          passed = true;
          if (isUsageOnlyChunk(event)) {
            controller.enqueue(encoder.encode("data: [DONE]\n\n"));
            controller.close();
            void drain(reader);
            return;
          }
        }
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** Whether an event is the chunk that carries the usage and no choice (chunks of content carry choices). */
function isUsageOnlyChunk(event: string): boolean {
  if (!USAGE_OBJECT.test(event)) return false;
  const data = event
    .split(/\r\n|\n|\r/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).replace(/^ /, ""))
    .join("\n");
  try {
    const chunk = JSON.parse(data) as { choices?: unknown; usage?: unknown };
    return Array.isArray(chunk.choices) && chunk.choices.length === 0 && typeof chunk.usage === "object" && chunk.usage !== null;
  } catch {
    return false;
  }
}

/** Read what is left (usually just `[DONE]`) so the connection goes back to the pool, for at most DRAIN_MS. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  const timer = setTimeout(() => void reader.cancel().catch(() => undefined), DRAIN_MS);
  timer.unref();
  try {
    let step = await reader.read();
    while (!step.done) step = await reader.read();
  } catch {
    // Cancelled here, or the request was aborted: either way nothing is left to read.
  } finally {
    clearTimeout(timer);
  }
}
