/**
 * Turn a callback-style generation (`onTextChunk`) into an async generator of its text chunks, returning the
 * generation's result. Chunks that pile up while the consumer is busy come out joined as one: every chunk costs
 * the run path an event (and node-llama-cpp's token loop shares the event loop with it), so a slow consumer gets
 * fewer, larger deltas instead of slowing generation down; a fast one still gets every token as it comes.
 * Leaving early does not stop the generation — abort it first — but the generator's `finally` waits for it to
 * settle, so the caller never reuses a context sequence that is still generating.
 */
export async function* streamCallbacks<R>(start: (push: (text: string) => void) => Promise<R>): AsyncGenerator<string, R> {
  const buffered: string[] = [];
  let wake: (() => void) | undefined;
  let outcome: { ok: true; value: R } | { ok: false; error: unknown } | undefined;
  const done = start((text) => {
    buffered.push(text);
    wake?.();
  }).then(
    (value) => void (outcome = { ok: true, value }),
    (error: unknown) => void (outcome = { ok: false, error }),
  );
  void done.then(() => wake?.());
  try {
    for (;;) {
      if (buffered.length > 0) {
        yield buffered.splice(0).join("");
        continue;
      }
      if (outcome) break;
      // Safe: push and settle run in later ticks, after `wake` is set here.
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    await done;
  }
  const final = outcome as NonNullable<typeof outcome>;
  if (!final.ok) throw final.error;
  return final.value;
}
