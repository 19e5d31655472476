/** Server settings given on a benchmark's command line as `KEY=VALUE` pairs (the server's own parser checks them). */
export function parseSettings(pairs: readonly string[], flag: string): Record<string, string> {
  return Object.fromEntries(pairs.map((pair) => {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`${flag} expects KEY=VALUE, got ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
}
