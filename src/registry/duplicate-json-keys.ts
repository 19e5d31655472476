import { visit } from "jsonc-parser";

/**
 * The first key that an object of a valid JSON text holds twice, as a path (`graphs.chat`), or undefined. JSON.parse
 * keeps the last one without a word: two graphs declared under one id would leave one of them unseen.
 */
export function firstDuplicateKey(text: string): string | undefined {
  // The keys seen so far in each object open around the current position.
  const open: Set<string>[] = [];
  let duplicate: string | undefined;
  visit(text, {
    onObjectBegin: () => {
      open.push(new Set());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (property, _offset, _length, _line, _column, pathSupplier) => {
      const keys = open.at(-1);
      if (!keys || duplicate !== undefined) return;
      if (keys.has(property)) duplicate = [...pathSupplier(), property].join(".");
      keys.add(property);
    },
  });
  return duplicate;
}
