import { useEffect, useRef, useState } from "preact/hooks";
import { focusSoon, useNarrowScreen } from "./focus.js";

/**
 * The phone drawer (the session list) and the timeline panel: whether each is open; on narrow screens, where they
 * cover the chat, the chat under them is inert (`main` is its element). Opening one moves focus into it, closing it
 * brings focus back to the button that opens it — not to the page.
 */
export function useOverlays(timelineSupported: boolean) {
  const narrow = useNarrowScreen();
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [timelineOpen, setTimelineOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const covered = narrow && (sidebarOpen || (timelineOpen && timelineSupported));
  useEffect(() => {
    if (main.current) main.current.inert = covered;
  }, [covered]);

  // At once, not in the effect: focus is about to move to the button, which an inert chat would refuse.
  const uncover = () => {
    if (main.current) main.current.inert = false;
  };
  /** Close the drawer; focus goes to `focusTo` (the menu button unless said otherwise, none with null). */
  const closeSidebar = (focusTo: string | null = ".menu-button") => {
    if (!sidebarOpen) return;
    setSidebarOpen(false);
    uncover();
    if (focusTo) focusSoon(focusTo);
  };
  const closeTimeline = () => {
    setTimelineOpen(false);
    uncover();
    focusSoon(".timeline-button");
  };
  return {
    main,
    sidebarOpen,
    timelineOpen,
    closeSidebar,
    toggleSidebar: () => {
      if (sidebarOpen) return closeSidebar();
      setSidebarOpen(true);
      focusSoon("#session-sidebar :is(button, select, input):not([disabled])");
      return undefined;
    },
    closeTimeline,
    toggleTimeline: () => {
      if (timelineOpen) return closeTimeline();
      setTimelineOpen(true);
      focusSoon(".timeline-close");
      return undefined;
    },
  };
}
