import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { interrupt } from "@langchain/langgraph";
import type { ToolDefinition } from "../tools/tool-definition.js";
import type { AgentContext } from "./agent-context.js";
import { type ApprovalDecision, approvalAnswerSchema, type ApprovalRequest } from "./approval.js";
import { unrunnableReason } from "./normalize-tool-calls.js";
import { announceToolStart, type ToolStartWriter } from "./tool-start.js";
import { rejectionText } from "./rejection-text.js";

type ToolCall = NonNullable<AIMessage["tool_calls"]>[number];

/**
 * Run every tool call of the last AI message. Tools that need approval ask a human first, through LangGraph's
 * `interrupt()`, and all questions are asked before any tool runs: on resume the node starts over, so nothing
 * with side effects may happen before the last interrupt. A failure never escapes: unknown tools, invalid
 * arguments, rejections and exceptions become error ToolMessages the model can read and recover from. Each call
 * that does run is announced through `config.writer` just before its tool executes (`tool.started`); calls that
 * never run (rejected, unknown tool, invalid or unreadable arguments, a reply cut off) are not.
 */
export async function runToolCalls(messages: BaseMessage[], context: AgentContext, config: ToolStartWriter = {}): Promise<{ messages: ToolMessage[] }> {
  const last = messages.at(-1);
  if (!last || !AIMessage.isInstance(last)) return { messages: [] };
  const calls = last.tool_calls ?? [];
  const decisions = new Map<string, ApprovalDecision>();
  for (const call of calls) {
    const tool = context.tools.find((candidate) => candidate.name === call.name);
    // A call that cannot run is not put to a human either (its arguments are not what the model meant), nor is
    // one whose arguments the tool would refuse: approving it could only end in that error.
    if (tool?.requiresApproval && !unrunnableReason(last, callId(call)) && tool.schema.safeParse(call.args).success) decisions.set(callId(call), askApproval(call));
  }
  const results: ToolMessage[] = [];
  for (const call of calls) {
    const reason = unrunnableReason(last, callId(call));
    const decision = decisions.get(callId(call));
    const output = reason ? { ok: false, content: `Error: ${reason}` } : await runOne(call, { decision, context, writer: config.writer });
    results.push(new ToolMessage({ content: output.content, tool_call_id: callId(call), name: call.name, status: output.ok ? "success" : "error", ...decisionMetadata(decision, reason) }));
  }
  return { messages: results };
}

/** `response_metadata` key of a tool result whose call ran with a human's edited arguments: those arguments. */
export const EDITED_ARGS_KEY = "threadline_edited_args";

/** `response_metadata` key of a tool result whose call a human rejected (its status is `error`, for the model). */
export const REJECTED_KEY = "threadline_rejected";

/**
 * What a human's decision leaves on the call's result, so that every client can show it: the arguments an edit put
 * in place of the model's (tool.completed and the transcript show them), or that the call was rejected.
 */
function decisionMetadata(decision: ApprovalDecision | undefined, unrunnable: string | undefined): { response_metadata?: Record<string, unknown> } {
  if (unrunnable || !decision) return {};
  if (decision.decision === "edit" && decision.args) return { response_metadata: { [EDITED_ARGS_KEY]: decision.args } };
  if (decision.decision === "reject") return { response_metadata: { [REJECTED_KEY]: true } };
  return {};
}

/** Whether a tool result is of a call a human rejected (`REJECTED_KEY`). */
export function wasRejected(result: ToolMessage): boolean {
  return result.response_metadata?.[REJECTED_KEY] === true;
}

/** The arguments a tool result's call ran with when a human edited the model's (`EDITED_ARGS_KEY`), if any. */
export function editedArgsOf(result: ToolMessage): Record<string, unknown> | undefined {
  return result.response_metadata?.[EDITED_ARGS_KEY] as Record<string, unknown> | undefined;
}

function callId(call: ToolCall): string {
  return call.id ?? "";
}

function askApproval(call: ToolCall): ApprovalDecision {
  const request: ApprovalRequest = { kind: "tool_approval", tool_call_id: callId(call), name: call.name, args: call.args };
  const answer: unknown = interrupt(request);
  const parsed = approvalAnswerSchema.safeParse(answer);
  // A malformed answer must not run the tool: treat it as a rejection the model can explain.
  return parsed.success ? parsed.data : { decision: "reject", reason: "the approval answer was not understood" };
}

interface CallScope extends ToolStartWriter {
  decision: ApprovalDecision | undefined;
  context: AgentContext;
}

async function runOne(call: ToolCall, scope: CallScope): Promise<{ ok: boolean; content: string }> {
  const { decision, context } = scope;
  const tool = context.tools.find((candidate) => candidate.name === call.name);
  if (!tool) {
    const available = context.tools.map((candidate) => candidate.name).join(", ") || "none";
    return { ok: false, content: `Error: unknown tool "${call.name}". Available tools: ${available}.` };
  }
  if (decision?.decision === "reject") {
    return { ok: false, content: rejectionText(call.name, decision.reason) };
  }
  const args = decision?.decision === "edit" && decision.args ? decision.args : call.args;
  return execute(tool, args, { context, toolCallId: callId(call), writer: scope.writer });
}

async function execute(tool: ToolDefinition, args: Record<string, unknown>, scope: { context: AgentContext; toolCallId: string } & ToolStartWriter): Promise<{ ok: boolean; content: string }> {
  const parsed = tool.schema.safeParse(args);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(args)"}: ${issue.message}`);
    return { ok: false, content: `Error: invalid arguments for ${tool.name}: ${problems.join("; ")}` };
  }
  const { toolContext } = scope.context;
  toolContext.signal.throwIfAborted();
  // Announced here, once nothing can keep the tool from running: with the arguments as given (the model's, or the
  // human's edit), which the transcript and tool.completed show too, rather than the schema's parsed copy.
  announceToolStart(scope, { tool_call_id: scope.toolCallId, name: tool.name, args });
  const limit = scope.context.toolOutputMaxChars ?? DEFAULT_TOOL_OUTPUT_MAX_CHARS;
  try {
    return { ok: true, content: capToolOutput(await tool.execute(parsed.data, { ...toolContext, toolCallId: scope.toolCallId }), limit) };
  } catch (error) {
    if (toolContext.signal.aborted) throw error;
    return { ok: false, content: capToolOutput(`Error: ${error instanceof Error ? error.message : String(error)}`, limit) };
  }
}

/** `TOOL_OUTPUT_MAX_CHARS`'s default. */
export const DEFAULT_TOOL_OUTPUT_MAX_CHARS = 100_000;

/**
 * A tool's output cut to `limit` characters, saying so (the model, the state, the transcript and every window get
 * it: one unbounded result stalled the server and made the thread's event log unreplayable over a socket). The cut
 * never splits a surrogate pair.
 */
export function capToolOutput(content: string, limit: number): string {
  if (content.length <= limit) return content;
  const note = `\n[output truncated: ${content.length} characters in all]`;
  const end = Math.max(0, limit - note.length);
  const cut = /[\ud800-\udbff]/.test(content.charAt(end - 1)) ? end - 1 : end;
  return `${content.slice(0, cut)}${note}`;
}
