import type { AssistantSettings } from "./assistant-settings.js";

/** An assistant in LangGraph Platform's shape; `context` holds Threadline's settings. */
export interface Assistant {
  assistant_id: string;
  graph_id: string;
  name: string;
  description: string | null;
  /** `configurable`: the graph's own keys for its runs (besides settings given there); `recursion_limit`: its runs' default. */
  config: { configurable?: Record<string, unknown>; recursion_limit?: number };
  context: AssistantSettings;
  metadata: Record<string, unknown>;
  version: number;
  created_at: string;
  updated_at: string;
}

/** One stored version of an assistant (LangGraph Platform's `AssistantVersion`): the assistant as that version set it. */
export type AssistantVersion = Omit<Assistant, "updated_at">;

/** The assistant a thread or run gets when none is named: the bundled chat graph's default assistant. */
export const DEFAULT_ASSISTANT_ID = "chat";
