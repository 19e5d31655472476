/** A graph module that fails when imported (a missing key read at its top level). */
export const graph: unknown = (() => {
  throw new Error("missing API key");
})();
