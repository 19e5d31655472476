/**
 * `POST /threads/{id}/state` as the model node with these messages (LangGraph's `update_state`), for the default
 * user of a server without auth. Resolves with the response, refusals included.
 */
export function postStateEdit(baseUrl: string, threadId: string, messages: unknown[]): Promise<Response> {
  return fetch(`${baseUrl}/threads/${threadId}/state`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ values: { messages }, as_node: "model" }),
  });
}
