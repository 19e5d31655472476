import { describe, expect, it } from "vitest";
import { streamCallbacks } from "./stream-callbacks.js";

describe("streamCallbacks", () => {
  it("yields pushed chunks in order, joining those that piled up, and returns the result", async () => {
    const generator = streamCallbacks(async (push) => {
      push("a");
      await new Promise((resolve) => setTimeout(resolve, 5));
      push("b");
      push("c");
      return 42;
    });
    const seen: string[] = [];
    let step = await generator.next();
    while (!step.done) {
      seen.push(step.value);
      step = await generator.next();
    }
    // "b" and "c" arrived while the consumer was away: they come out together.
    expect(seen).toEqual(["a", "bc"]);
    expect(step.value).toBe(42);
  });

  it("rethrows the generation's failure after the chunks before it", async () => {
    const seen: string[] = [];
    const run = async () => {
      for await (const text of streamCallbacks(async (push) => {
        push("x");
        await Promise.resolve();
        throw new Error("aborted");
      })) seen.push(text);
    };
    await expect(run()).rejects.toThrow("aborted");
    expect(seen).toEqual(["x"]);
  });

  it("waits for the generation to settle when the consumer leaves early", async () => {
    let settled = false;
    const stop = new AbortController();
    const generator = streamCallbacks(
      (push) =>
        new Promise<void>((resolve) => {
          push("first");
          stop.signal.addEventListener("abort", () => setTimeout(() => ((settled = true), resolve()), 20));
        }),
    );
    expect((await generator.next()).value).toBe("first");
    stop.abort();
    await generator.return(undefined);
    expect(settled).toBe(true);
  });
});
