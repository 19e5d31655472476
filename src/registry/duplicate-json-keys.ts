/**
 * The first key that an object of a valid JSON text holds twice, as a path (`graphs.chat`), or undefined. JSON.parse
 * keeps the last one without a word: two graphs declared under one id would leave one of them unseen.
 */
export function firstDuplicateKey(text: string): string | undefined {
  // One frame per open object or array: the keys seen so far (objects), the path to it, and the key last read.
  const stack: { keys?: Set<string>; path: string[]; key?: string; index: number }[] = [];
  let expectingKey = false;
  for (let position = 0; position < text.length; position += 1) {
    const character = text[position];
    const frame = stack.at(-1);
    if (character === '"') {
      const end = stringEnd(text, position);
      if (frame?.keys && expectingKey) {
        const key = JSON.parse(text.slice(position, end + 1)) as string;
        if (frame.keys.has(key)) return [...frame.path, key].join(".");
        frame.keys.add(key);
        frame.key = key;
        expectingKey = false;
      }
      position = end;
    } else if (character === "{" || character === "[") {
      const path = frame ? [...frame.path, frame.keys ? (frame.key ?? "") : String(frame.index)] : [];
      stack.push(character === "{" ? { keys: new Set(), path, index: 0 } : { path, index: 0 });
      expectingKey = character === "{";
    } else if (character === "}" || character === "]") {
      stack.pop();
      expectingKey = false;
    } else if (character === ",") {
      if (frame) frame.index += 1;
      expectingKey = frame?.keys !== undefined;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let position = start + 1;
  while (position < text.length && text[position] !== '"') position += text[position] === "\\" ? 2 : 1;
  return position;
}
