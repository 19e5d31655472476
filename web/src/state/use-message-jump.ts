import { useEffect, useRef, useState } from "preact/hooks";
import { type Phrase, phrase } from "../i18n/translator.js";
import type { SearchHit } from "../protocol/protocol-types.js";
import { errorPhrase } from "./error-phrase.js";
import { anchorFor, type MessageAnchor } from "./message-anchor.js";
import type { ThreadSync } from "./thread-sync.js";

/** A request to bring one message of a session into view and highlight it; `request` tells repeated ones apart. */
export interface MessageFocus extends MessageAnchor {
  threadId: string;
  request: number;
}

/** What a jump needs of the tab's chat session (`useChatSession`). */
export interface JumpableSession {
  windowId: string;
  sync: ThreadSync | undefined;
  open: (params: { thread_id: string; window_id: string }) => Promise<ThreadSync>;
  showProblem: (message: Phrase) => void;
}

/**
 * Open a search hit: its session (unless it is the current one), then older history until the message is
 * loaded, then a focus request for the message list. Only the latest jump completes; the request is dropped
 * when the user moves to another session.
 */
export function useMessageJump(chat: JumpableSession): { focus: MessageFocus | undefined; jumpTo: (hit: SearchHit) => Promise<void> } {
  const [focus, setFocus] = useState<MessageFocus | undefined>(undefined);
  const latest = useRef(0);
  const currentThread = chat.sync?.threadId;

  useEffect(() => {
    setFocus((previous) => (previous && previous.threadId !== currentThread ? undefined : previous));
  }, [currentThread]);

  const jumpTo = async (hit: SearchHit) => {
    const request = ++latest.current;
    try {
      const sync = chat.sync?.threadId === hit.thread_id ? chat.sync : await chat.open({ thread_id: hit.thread_id, window_id: chat.windowId });
      if (request !== latest.current) return;
      await sync.loadUntilMessage(hit);
      if (request !== latest.current) return;
      const anchor = anchorFor(sync.state.messages, hit);
      if (anchor) setFocus({ ...anchor, threadId: hit.thread_id, request });
      else chat.showProblem(phrase("jump.messageGone"));
    } catch (error) {
      if (request === latest.current) chat.showProblem(errorPhrase(error));
    }
  };

  return { focus, jumpTo };
}
