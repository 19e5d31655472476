import { AppError } from "../errors/app-error.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A recorded conversation's bytes as text. The format is UTF-8: a file in another encoding (a Latin-1 export) is
 * refused naming the first line that is not UTF-8, instead of being stored with U+FFFD where its accents were.
 */
export function decodeConversationBytes(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const line = firstInvalidLine(bytes);
    throw new AppError("invalid_request", `Line ${line}: not valid UTF-8 — a conversation must be UTF-8 (convert it first, e.g. \`iconv -f latin1 -t utf-8\`)`, {
      details: { line },
    });
  }
}

function firstInvalidLine(bytes: Uint8Array): number {
  let line = 1;
  for (let start = 0; start <= bytes.length; line += 1) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end < 0 ? bytes.length : end;
    try {
      strictUtf8.decode(bytes.subarray(start, stop));
    } catch {
      return line;
    }
    if (end < 0) break;
    start = end + 1;
  }
  return line;
}
