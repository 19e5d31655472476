/**
 * Whether an Esc keydown should stop the running reply: a plain Esc (no modifier, not ending an IME
 * composition — `isComposing`, or keyCode 229 in browsers that report it so) pressed outside any text field,
 * or in the message box while it is empty. An Esc in another field (the search box clears itself, the rename
 * field cancels) or in a message box holding text belongs to that field.
 */
export function isStopKey(event: KeyboardEvent): boolean {
  if (event.key !== "Escape" || event.defaultPrevented) return false;
  if (event.isComposing || event.keyCode === 229) return false;
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return false;
  const target = event.target instanceof HTMLElement ? event.target : null;
  if (!target || !isTextField(target)) return true;
  return target.id === "composer-input" && target instanceof HTMLTextAreaElement && target.value === "";
}

/**
 * Whether an Esc keydown should close the drawer or panel it happened in: a plain Esc not ending an IME
 * composition, nor meant for a field that holds text (the search box clears itself first).
 */
export function isCloseKey(event: KeyboardEvent): boolean {
  if (event.key !== "Escape" || event.defaultPrevented || event.isComposing || event.keyCode === 229) return false;
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return false;
  const target = event.target instanceof HTMLElement ? event.target : null;
  if (!target || !isTextField(target)) return true;
  return (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) && target.value === "";
}

const NON_TEXT_INPUTS = new Set(["button", "checkbox", "radio", "submit", "reset", "range", "color", "file", "image"]);

function isTextField(element: HTMLElement): boolean {
  if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) return true;
  if (element instanceof HTMLInputElement) return !NON_TEXT_INPUTS.has(element.type);
  return element.isContentEditable;
}
