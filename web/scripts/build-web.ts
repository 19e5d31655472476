// Bundles the chat page into web/dist: `npm run build:web`. Output names carry content hashes, so the server
// can cache assets forever and only index.html is revalidated. The output is deterministic, which lets a test
// check that the committed web/dist matches the sources.
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** The web/ folder. */
export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** What a build produced: file names relative to the output folder and the gzip size of the JavaScript. */
export interface WebBuildResult {
  files: string[];
  jsGzipBytes: number;
}

/**
 * Bundle web/src into `outDir` (emptied first).
 * @example await buildWeb({ outDir: "web/dist" });
 */
export async function buildWeb(options: { outDir: string }): Promise<WebBuildResult> {
  const result = await build({
    entryPoints: [path.join(WEB_ROOT, "src/main.tsx"), path.join(WEB_ROOT, "src/styles.css")],
    outdir: options.outDir,
    entryNames: "assets/[name]-[hash]",
    bundle: true,
    format: "esm",
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    minify: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "eof",
    define: { "process.env.NODE_ENV": '"production"' },
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  await rm(options.outDir, { recursive: true, force: true });
  await mkdir(path.join(options.outDir, "assets"), { recursive: true });
  const files: string[] = [];
  let jsGzipBytes = 0;
  let script = "";
  let stylesheet = "";
  for (const file of result.outputFiles) {
    const relative = path.relative(options.outDir, file.path).split(path.sep).join("/");
    await writeFile(file.path, file.contents);
    files.push(relative);
    if (relative.endsWith(".js")) {
      script = relative;
      jsGzipBytes += gzipSync(file.contents, { level: 9 }).length;
    } else if (relative.endsWith(".css")) stylesheet = relative;
  }
  await writeFile(path.join(options.outDir, "index.html"), indexHtml({ script, stylesheet }));
  files.push("index.html");
  return { files: files.sort(), jsGzipBytes };
}

// `lang="en"` is the language of the page without its script (the noscript text is bilingual, its Chinese marked
// as such); main.tsx sets the reader's language before the app's first render.
function indexHtml(assets: { script: string; stylesheet: string }): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
    <meta name="color-scheme" content="light dark" />
    <title>Threadline</title>
    <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%231f5fcc'/%3E%3Cpath d='M8 11h16M8 16h12M8 21h8' stroke='white' stroke-width='2.5' stroke-linecap='round'/%3E%3C/svg%3E" />
    <link rel="stylesheet" href="/${assets.stylesheet}" />
    <script type="module" src="/${assets.script}"></script>
  </head>
  <body>
    <div id="app"></div>
    <noscript>
      <p>Threadline's chat page needs JavaScript.</p>
      <p lang="zh-CN">Threadline 聊天页面需要启用 JavaScript。</p>
    </noscript>
  </body>
</html>
`;
}

/** All files under a folder, relative and sorted (for comparing builds). */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = path.join(WEB_ROOT, "dist");
  const { files, jsGzipBytes } = await buildWeb({ outDir });
  process.stdout.write(`web/dist: ${files.join(", ")}\nJavaScript: ${(jsGzipBytes / 1024).toFixed(1)} KB gzip\n`);
}
