/**
 * ArrowDown / ArrowUp move focus between the elements matching `selector` inside `container` (from outside
 * them, ArrowDown goes to the first): list navigation for the sidebar's sessions and message hits.
 * Returns whether the key was handled (the caller then prevents its default scrolling).
 */
export function moveFocusWithArrows(event: KeyboardEvent, container: HTMLElement, selector: string): boolean {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return false;
  const items = Array.from(container.querySelectorAll<HTMLElement>(selector));
  if (items.length === 0) return false;
  const current = items.findIndex((item) => item === document.activeElement);
  const next = current === -1 ? (event.key === "ArrowDown" ? 0 : -1) : current + (event.key === "ArrowDown" ? 1 : -1);
  const target = items[next];
  if (!target) return false;
  target.focus();
  return true;
}
