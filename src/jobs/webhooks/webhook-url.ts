import { z } from "zod";

/** Longest accepted webhook URL. */
const MAX_URL_LENGTH = 2048;

/** Whether a webhook target is an absolute http(s) URL without credentials (they would leak into logs). */
export function isWebhookUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === "" && url.hostname !== "";
}

/**
 * A webhook target in request bodies (`webhook` on runs and crons): http or https only.
 * @example webhookUrlSchema.parse("https://example.com/hooks/threadline")
 */
export const webhookUrlSchema = z.string().refine(isWebhookUrl, { message: "webhook must be an absolute http(s) URL without credentials" });
