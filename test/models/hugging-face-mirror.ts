import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the mirror received. */
export interface MirrorRequest {
  method: string;
  path: string;
  authorization?: string;
}

/** A repository the mirror serves: one GGUF file, resolved for any tag. */
export interface MirrorRepository {
  user: string;
  model: string;
  fileName: string;
  body: Buffer;
}

/**
 * A local stand-in for huggingface.co (or a mirror such as hf-mirror.com) that speaks the two endpoints
 * node-llama-cpp uses for `hf:` URIs: the manifest (`/v2/{user}/{model}/manifests/{tag}`, answered with the
 * `ggufFile` llama.cpp asks for) and the file download (`/{user}/{model}/resolve/main/{file}`, with ranges).
 * With `token` set, both answer 401 without `Authorization: Bearer <token>`, like a gated repository.
 */
export async function startHuggingFaceMirror(options: { repository: MirrorRepository; token?: string }): Promise<{
  url: string;
  requests: MirrorRequest[];
  close: () => Promise<void>;
}> {
  const { repository, token } = options;
  const requests: MirrorRequest[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://mirror").pathname);
    requests.push({ method: request.method ?? "GET", path, authorization: request.headers.authorization });
    if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) return reply(response, 401, { error: "Access to this repository is restricted" });
    const repo = `${repository.user}/${repository.model}`;
    if (path.startsWith(`/v2/${repo}/manifests/`)) return reply(response, 200, { ggufFile: { rfilename: repository.fileName, size: repository.body.length } });
    if (path === `/${repo}/resolve/main/${repository.fileName}`) return sendFile(request, response, repository.body);
    return reply(response, 404, { error: "Repository not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function sendFile(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
  const start = range ? Number(range[1]) : 0;
  const end = range?.[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
  const headers = { "content-type": "application/octet-stream", "accept-ranges": "bytes", "content-length": end - start + 1 };
  if (range) response.writeHead(206, { ...headers, "content-range": `bytes ${start}-${end}/${body.length}` });
  else response.writeHead(200, headers);
  if (request.method === "HEAD") response.end();
  else response.end(body.subarray(start, end + 1));
}
