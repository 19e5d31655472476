// The scripted conversation both sides replay: deterministic (seeded), so every run and both sides send the same
// bytes, and the fake model answers them the same way on both sides.

/** Every `TOOL_EVERY`-th turn asks the model to call the calculator instead of chatting. */
export const TOOL_EVERY = 5;

/** Target length of a plain user turn, in characters. */
export const USER_TURN_CHARS = 200;

/** Reply length the fake model pads plain answers to (`FAKE_REPLY_MIN_CHARS` / `replyMinChars`). */
export const REPLY_MIN_CHARS = 400;

const WORDS = [
  "garden", "invoice", "river", "schedule", "kitchen", "budget", "window", "meeting", "harbor", "printer",
  "recipe", "ticket", "mountain", "library", "contract", "battery", "station", "letter", "market", "planet",
  "coffee", "ladder", "signal", "blanket", "engine", "forest", "pocket", "thunder", "candle", "bridge",
] as const;

/** What one turn sends: the user's text, and whether the scripted model will answer it with a tool call. */
export interface ScriptedTurn {
  /** 1-based turn number within its thread. */
  turn: number;
  text: string;
  isToolTurn: boolean;
}

/** The user's message for turn `turn` (1-based) of a thread: plain ~200-char text, or a calculator command. */
export function scriptedTurn(turn: number): ScriptedTurn {
  if (turn % TOOL_EVERY === 0) {
    const random = seededRandom(turn * 7919);
    const [a, b, c] = [1 + Math.floor(random() * 999), 1 + Math.floor(random() * 99), 2 + Math.floor(random() * 9)];
    const expression = `(${a} + ${b}) * ${c} / 4`;
    return { turn, text: `/tool calculator ${JSON.stringify({ expression })}`, isToolTurn: true };
  }
  return { turn, text: plainText(turn), isToolTurn: false };
}

function plainText(turn: number): string {
  const random = seededRandom(turn);
  let text = `Turn ${turn}: please remember the`;
  while (text.length < USER_TURN_CHARS) text += ` ${WORDS[Math.floor(random() * WORDS.length)] ?? "note"}`;
  return `${text.slice(0, USER_TURN_CHARS - 1)}.`;
}

/** A message as far as transcript size is concerned: its text and the arguments of any tool calls. */
export interface CountedMessage {
  content: string;
  toolCallArgs?: unknown[];
}

/** UTF-8 bytes of what was said: message contents plus tool-call arguments (as JSON). Ids and metadata do not count. */
export function transcriptBytes(messages: readonly CountedMessage[]): number {
  let bytes = 0;
  for (const message of messages) {
    bytes += Buffer.byteLength(message.content, "utf8");
    for (const args of message.toolCallArgs ?? []) bytes += Buffer.byteLength(JSON.stringify(args), "utf8");
  }
  return bytes;
}

/** mulberry32: a tiny deterministic PRNG, so the script does not depend on Math.random. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
