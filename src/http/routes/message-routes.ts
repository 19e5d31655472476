import { importAnswer } from "../import-answer.js";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import express, { type Request, type Response, Router } from "express";
import { z } from "zod";
import { AppError } from "../../errors/app-error.js";
import { longThreadServices } from "../../memory/long-thread-services.js";
import type { Services } from "../../services.js";
import { decodeConversationBytes } from "../../transcript/conversation-bytes.js";
import { exportConversation } from "../../transcript/conversation-export.js";
import { searchRequestSchema, threadSearchRequestSchema } from "../../transcript/search-request.js";
import { currentUser, param } from "../request-context.js";
import { sessionTitleSchema } from "../../sessions/session-title-schema.js";

/** Largest JSONL body `POST /threads/import` reads (the JSON form is limited by MAX_BODY_BYTES). */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024;

/** Content types read as a raw JSONL conversation. */
const JSONL_TYPES = ["application/x-ndjson", "application/jsonl", "application/json-lines", "application/x-jsonlines", "text/plain"];

const importOptions = {
  assistant_id: z.string().min(1).max(200).optional(),
  title: sessionTitleSchema.optional(),
  assistant_speaker: z.string().min(1).max(200).optional(),
};

/** The JSON form: the conversation as JSONL text or as an array of line objects, with the options. */
const importJsonBody = z.strictObject({
  conversation: z.union([z.string().min(1), z.array(z.record(z.string(), z.unknown())).min(1)]),
  metadata: z.record(z.string(), z.unknown()).optional(),
  ...importOptions,
});

/**
 * Transcript search (one thread, or across the caller's threads) and conversation import/export.
 * Everything is scoped to the caller: other users' threads are not found, never forbidden.
 */
export function messageRoutes(services: Services): Router {
  const router = Router();
  const long = () => longThreadServices(services);

  router.post("/messages/search", async (request, response) => {
    const body = searchRequestSchema.parse(request.body ?? {});
    const results = await long().search.search({ userId: currentUser(response).id, query: body.query, limit: body.limit, threadIds: body.thread_ids });
    response.json({ results });
  });

  router.post("/threads/:thread_id/messages/search", async (request, response) => {
    const user = currentUser(response);
    const body = threadSearchRequestSchema.parse(request.body ?? {});
    const session = await services.sessions.get(user.id, param(request, "thread_id"));
    const results = await long().search.search({ userId: user.id, query: body.query, limit: body.limit, threadIds: [session.thread_id] });
    response.json({ results });
  });

  router.post("/threads/import", express.raw({ type: JSONL_TYPES, limit: IMPORT_MAX_BYTES }), async (request, response) => {
    const user = currentUser(response);
    const { text, options, metadata } = readImport(request);
    const result = await long().importer.import({ userId: user.id, text, assistantId: options.assistant_id, title: options.title, assistantSpeaker: options.assistant_speaker, metadata });
    response.status(201).json(importAnswer(result));
  });

  router.get("/threads/:thread_id/export", async (request, response) => {
    const session = await services.sessions.get(currentUser(response).id, param(request, "thread_id"));
    response.setHeader("Content-Type", "application/x-ndjson; charset=utf-8");
    response.setHeader("Content-Disposition", `attachment; filename="thread-${session.thread_id}.jsonl"`);
    await streamLines(response, exportConversation(services.pool, session.thread_id));
  });

  return router;
}

function readImport(request: Request): { text: string; options: z.infer<z.ZodObject<typeof importOptions>>; metadata?: Record<string, unknown> } {
  // Raw bytes, not express.text: that would decode a non-UTF-8 body with U+FFFD where its accents were.
  if (Buffer.isBuffer(request.body)) return { text: decodeConversationBytes(request.body), options: z.strictObject(importOptions).parse(request.query) };
  if (!request.is("application/json")) throw new AppError("invalid_request", `Send the conversation as JSONL (Content-Type: ${JSONL_TYPES[0]}) or as JSON {conversation, …}`);
  // The JSON form takes its options in the body; the query's would be ignored (a title lost without a word).
  const queryKeys = Object.keys(request.query);
  if (queryKeys.length > 0) {
    throw new AppError("invalid_request", `With a JSON body the import's options go in the JSON body, not the query string: ${queryKeys.join(", ")}`, { details: { query: queryKeys } });
  }
  const body = importJsonBody.parse(request.body ?? {});
  const text = typeof body.conversation === "string" ? body.conversation : body.conversation.map((line) => JSON.stringify(line)).join("\n");
  return { text, options: body, metadata: body.metadata };
}

/**
 * Write lines as they come, waiting when the client reads slowly (stream's own backpressure, no listener per
 * wait); a client that goes away ends the export quietly.
 */
async function streamLines(response: Response, lines: AsyncIterable<string>): Promise<void> {
  try {
    await pipeline(Readable.from(lines), response);
  } catch (error) {
    // The client went away: nothing to answer. Anything else (a failed page read) reaches the error handler.
    if ((error as { code?: unknown }).code !== "ERR_STREAM_PREMATURE_CLOSE") throw error;
  }
}
