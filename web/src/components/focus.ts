import { useEffect, useRef, useState } from "preact/hooks";

/** Put the cursor in the message box: where focus goes when the control just used leaves the page. */
export function focusComposer(): void {
  document.getElementById("composer-input")?.focus();
}

/** Focus what `selector` names once the render under way is done (it may be about to appear, or to show). */
export function focusSoon(selector: string): void {
  setTimeout(() => document.querySelector<HTMLElement>(selector)?.focus());
}

/** Whether the screen is phone-narrow (the sidebar a drawer, the timeline over the chat); follows resizes. */
export function useNarrowScreen(): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW).matches);
  useEffect(() => {
    const query = window.matchMedia(NARROW);
    const onChange = () => setNarrow(query.matches);
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, []);
  return narrow;
}

/** The width below which styles.css makes the sidebar a drawer. */
const NARROW = "(max-width: 760px)";

/** Whether nothing in particular has focus (the focused element left the page, or none was). */
export function focusIsLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

/**
 * For a card that can leave while the user works in it (answered here or in another window): when it leaves
 * holding focus, or just after the control used in it did, focus goes to the message box instead of the page.
 */
export function useFocusComposerOnLeave<T extends HTMLElement>() {
  const element = useRef<T>(null);
  const hadFocus = useRef(false);
  useEffect(() => {
    const card = element.current;
    if (!card) return undefined;
    const onFocusIn = () => void (hadFocus.current = true);
    const onFocusOut = (event: FocusEvent) => void (hadFocus.current = event.relatedTarget === null || card.contains(event.relatedTarget as Node));
    card.addEventListener("focusin", onFocusIn);
    card.addEventListener("focusout", onFocusOut);
    return () => {
      card.removeEventListener("focusin", onFocusIn);
      card.removeEventListener("focusout", onFocusOut);
      if (card.contains(document.activeElement) || (hadFocus.current && focusIsLost())) focusComposer();
    };
  }, []);
  return element;
}
