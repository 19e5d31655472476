/** The id of an assistant's opening message in a thread: stable, so replays never duplicate it. */
export function firstMessageId(threadId: string): string {
  return `first-message-${threadId}`;
}
