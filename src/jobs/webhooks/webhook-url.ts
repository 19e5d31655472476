import { z } from "zod";

/** Longest accepted webhook URL. */
const MAX_URL_LENGTH = 2048;

/**
 * Ports fetch() refuses to connect to (the Fetch standard's "bad ports", as undici lists them): a webhook there
 * could never be delivered.
 */
const FETCH_BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137,
  139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723,
  2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Why `value` cannot be a webhook target, or undefined when it can. */
export function webhookUrlProblem(value: string): string | undefined {
  if (value.length > MAX_URL_LENGTH) return `webhook must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "webhook must be an absolute http(s) URL without credentials";
  }
  if (!((url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === "" && url.hostname !== "")) {
    return "webhook must be an absolute http(s) URL without credentials";
  }
  if (isFetchBadPort(url)) return `webhook port ${url.port} is one fetch() refuses to connect to (a "bad port" of the Fetch standard): use another port`;
  return undefined;
}

/** Whether fetch() refuses to connect to the URL's port (false for a URL that does not parse). */
export function isFetchBadPort(url: URL | string): boolean {
  // URL.canParse, not URL.parse: Node 20 has only the former.
  const parsed = typeof url !== "string" ? url : URL.canParse(url) ? new URL(url) : undefined;
  return parsed !== undefined && parsed.port !== "" && FETCH_BAD_PORTS.has(Number(parsed.port));
}

/** Whether a webhook target is an absolute http(s) URL without credentials (they would leak into logs), on a port fetch() connects to. */
export function isWebhookUrl(value: string): boolean {
  return webhookUrlProblem(value) === undefined;
}

/**
 * A webhook target in request bodies (`webhook` on runs and crons): http or https only, on a port fetch() connects to.
 * @example webhookUrlSchema.parse("https://example.com/hooks/threadline")
 */
export const webhookUrlSchema = z.string().superRefine((value, context) => {
  const problem = webhookUrlProblem(value);
  if (problem) context.addIssue({ code: "custom", message: problem });
});
