/** `kind` of the custom stream chunk a tools node writes just before a tool call runs. */
export const TOOL_STARTED_KIND = "threadline.tool_started";

/**
 * What a tools node says through LangGraph's `custom` stream mode when a call begins executing: the runtime turns
 * it into `tool.started`. `args` are the arguments the tool runs with (a human's edit, when there was one).
 */
export interface ToolStartChunk {
  kind: typeof TOOL_STARTED_KIND;
  tool_call_id: string;
  name: string;
  args: Record<string, unknown>;
}

/** The part of a node's `LangGraphRunnableConfig` that announces a start (absent outside a stream). */
export interface ToolStartWriter {
  writer?: ((chunk: unknown) => void) | undefined;
}

/**
 * Announce that a tool call starts executing now, with the arguments it runs with. Called by the chat graph's
 * tools node; a hand-written tools node of another graph calls it too so that clients get `tool.started` (calls
 * through LangChain tools, e.g. LangGraph's prebuilt `ToolNode`, are announced without it).
 *
 * @example
 * announceToolStart(config, { tool_call_id: call.id, name: call.name, args: call.args });
 */
export function announceToolStart(config: ToolStartWriter, call: Omit<ToolStartChunk, "kind">): void {
  const chunk: ToolStartChunk = { kind: TOOL_STARTED_KIND, ...call };
  config.writer?.(chunk);
}

/** Whether a `custom` stream chunk is a tool start announcement. */
export function isToolStartChunk(chunk: unknown): chunk is ToolStartChunk {
  if (typeof chunk !== "object" || chunk === null) return false;
  const candidate = chunk as Partial<ToolStartChunk>;
  return candidate.kind === TOOL_STARTED_KIND && typeof candidate.tool_call_id === "string" && typeof candidate.name === "string";
}
