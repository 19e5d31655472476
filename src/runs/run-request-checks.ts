import type { Assistant } from "../assistants/assistant.js";
import type { AssistantService } from "../assistants/assistant-service.js";
import { AppError, describeIssues } from "../errors/app-error.js";
import type { GraphRegistry } from "../registry/graph-registry.js";
import type { SubmitRunRequest } from "./run-requests.js";
import { inputKeysOf } from "../registry/graph-state-keys.js";
import { assertSummaryShape } from "../sessions/state-edit-service.js";
import type { ToolDefinition } from "../tools/tool-definition.js";

/** Breakpoints must name nodes of the assistant's graph: a typo would otherwise never stop the run. */
export async function checkBreakpoints(
  registry: Pick<GraphRegistry, "resolve">,
  assistant: Assistant,
  request: { interrupt_before?: "*" | string[]; interrupt_after?: "*" | string[] },
): Promise<void> {
  const requested = [request.interrupt_before, request.interrupt_after].flatMap((list) => (Array.isArray(list) ? list : []));
  if (requested.length === 0) return;
  const nodes = Object.keys((await registry.resolve(assistant.graph_id, assistant.context)).nodes).filter((node) => node !== "__start__");
  const unknown = requested.filter((node) => !nodes.includes(node));
  if (unknown.length > 0) {
    throw new AppError("invalid_request", `interrupt_before/interrupt_after name unknown nodes: ${unknown.join(", ")} (graph ${assistant.graph_id} has ${nodes.join(", ")}; "*" means every node)`);
  }
}

/**
 * A run's input must fit its graph: messages go to a graph whose input has a `messages` channel, and other keys
 * (`values`) must be keys of its input (its input schema's, else its state's) — LangGraph would drop anything else
 * without a word, and the run would answer something nobody asked. A `summary` is checked as a state edit's is.
 */
export async function checkGraphInput(registry: Pick<GraphRegistry, "resolve">, assistant: Assistant, input: SubmitRunRequest["input"]): Promise<void> {
  if (!input) return;
  const channels = inputKeysOf(await registry.resolve(assistant.graph_id, assistant.context));
  const offered = channels.length > 0 ? channels.join(", ") : "none";
  if (input.messages.length > 0 && !channels.includes("messages")) {
    throw new AppError("invalid_request", `Graph ${assistant.graph_id} has no messages channel: its input keys are ${offered}`);
  }
  const unknown = Object.keys(input.values ?? {}).filter((key) => !channels.includes(key));
  if (unknown.length > 0) throw new AppError("invalid_request", `input names what graph ${assistant.graph_id} does not have: ${unknown.join(", ")} (its input keys are ${offered})`, { details: { unknown } });
  assertSummaryShape(input.values);
}

/** Breakpoints, input and setting overrides of a run, refused (400) at submission rather than when the run starts. */
export async function checkRunRequest(
  deps: { registry: Pick<GraphRegistry, "resolve">; assistants: Pick<AssistantService, "checkRunSettings"> },
  assistant: Assistant,
  request: { config?: { settings?: Record<string, unknown> }; interrupt_before?: "*" | string[]; interrupt_after?: "*" | string[]; input?: SubmitRunRequest["input"] },
): Promise<void> {
  await checkBreakpoints(deps.registry, assistant, request);
  await checkGraphInput(deps.registry, assistant, request.input);
  // The same checks as the assistant's own settings get when saved.
  await deps.assistants.checkRunSettings(assistant, request.config?.settings);
}

/** Edited arguments must be valid for the tool and name only its arguments (a stray key would be dropped unseen). */
export function checkEditedArgs(tools: readonly ToolDefinition[], toolName: string, args: Record<string, unknown> | undefined): void {
  const tool = tools.find((candidate) => candidate.name === toolName);
  const parsed = tool?.schema.safeParse(args ?? {});
  if (parsed && !parsed.success) throw new AppError("invalid_request", `Edited arguments are not valid for ${toolName}: ${describeIssues(parsed.error.issues)}`, { details: parsed.error.issues });
  const known = parsed?.success && typeof parsed.data === "object" && parsed.data !== null ? Object.keys(parsed.data) : undefined;
  const unknown = known ? Object.keys(args ?? {}).filter((key) => !known.includes(key)) : [];
  if (unknown.length > 0) throw new AppError("invalid_request", `Edited arguments name what ${toolName} does not take: ${unknown.join(", ")}`, { details: { unknown } });
}

/** "*" and node lists as stored: ["*"] for every node, undefined for none. */
export function breakpointList(value: "*" | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (value === "*") return ["*"];
  return value.length > 0 ? value : undefined;
}
