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

/** The most a stream is waited for after its finish chunk (the usage chunk, [DONE]) before it is ended there. */
const FINISH_GRACE_MS = 2_000;

/** A finish_reason that is set (a finished choice); the pre-check before parsing an event. */
const FINISH_REASON = /"finish_reason"\s*:\s*"/;

/**
 * A fetch whose chat-completions event streams end right after their usage-only chunk (`"choices": []` with the
 * usage, what `stream_options.include_usage` adds last, before `[DONE]`). LangChain holds that chunk back until the
 * stream ends, so the call's inactivity timeout saw nothing after the finish chunk, and a provider that paused
 * longer than the timeout before `[DONE]` failed a run whose whole answer had been streamed. Nothing follows that
 * chunk but `[DONE]`, so the call can finish as soon as it arrives. Servers that send no usage chunk (they ignore
 * `stream_options.include_usage`: older Ollama, some proxies) and then hold the stream open are ended
 * `finishGraceMs` after the finish chunk (every choice with its `finish_reason`): the answer is complete there, and
 * was lost to the timeout. Other responses pass through untouched.
 */
export function endStreamsAtUsage(base: ProviderFetch, options: { timeoutMs?: number } = {}): ProviderFetch {
  // Well inside the call's inactivity timeout, which must not fire first.
  const finishGraceMs = Math.min(FINISH_GRACE_MS, Math.floor((options.timeoutMs ?? Number.POSITIVE_INFINITY) / 2));
  return async (input, init) => {
    const response = await base(input, init);
    if (!response.body || !response.headers.get("content-type")?.includes("text/event-stream")) return response;
    return new Response(untilUsageChunk(response.body, finishGraceMs), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** The events of `body` up to and including the usage-only chunk (or a silence after the finish chunk), then `[DONE]` and the end. */
function untilUsageChunk(body: ReadableStream<Uint8Array>, finishGraceMs: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = "";
  let finished = false;
  return new ReadableStream<Uint8Array>({
    // A pull must enqueue something (or close): the stream does not ask again after a pull that enqueued nothing.
    async pull(controller) {
      for (let passed = false; !passed; ) {
        const step = finished ? await readWithin(reader, finishGraceMs) : await reader.read();
        if (step === "silent") {
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
          void reader.cancel().catch(() => undefined);
          return;
        }
        const { done, value } = step;
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
          if (isFinishChunk(event)) finished = true;
        }
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** The next read, or "silent" when nothing came within `ms`. */
function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<ReadableStreamReadResult<Uint8Array> | "silent"> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<"silent">((resolve) => {
    timer = setTimeout(() => resolve("silent"), ms);
  });
  return Promise.race([reader.read(), silence]).finally(() => clearTimeout(timer));
}

/** Whether an event is the chunk that carries the usage and no choice (chunks of content carry choices). */
function isUsageOnlyChunk(event: string): boolean {
  if (!USAGE_OBJECT.test(event)) return false;
  const chunk = chunkOf(event);
  return Array.isArray(chunk?.choices) && chunk.choices.length === 0 && typeof chunk.usage === "object" && chunk.usage !== null;
}

/** Whether an event is a finish chunk: every choice in it has its `finish_reason` (the answer is whole). */
function isFinishChunk(event: string): boolean {
  if (!FINISH_REASON.test(event)) return false;
  const choices = chunkOf(event)?.choices;
  return Array.isArray(choices) && choices.length > 0 && choices.every((choice) => typeof (choice as { finish_reason?: unknown } | null)?.finish_reason === "string");
}

/** An event's data as a chunk, or undefined when it is not JSON (`[DONE]`). */
function chunkOf(event: string): { choices?: unknown; usage?: unknown } | undefined {
  const data = event
    .split(/\r\n|\n|\r/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).replace(/^ /, ""))
    .join("\n");
  try {
    return JSON.parse(data) as { choices?: unknown; usage?: unknown };
  } catch {
    return undefined;
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
