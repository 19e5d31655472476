import { useLayoutEffect, useMemo, useRef } from "preact/hooks";
import { renderMarkdown } from "../markdown/render-markdown.js";

/** Rendered, sanitized Markdown; every code block gets a header with its language and a copy button. */
export function MarkdownContent({ text }: { text: string }) {
  const container = useRef<HTMLDivElement>(null);
  const html = useMemo(() => renderMarkdown(text), [text]);

  // Buttons are added to the sanitized DOM here rather than emitted as HTML, so the sanitizer never has to
  // allow interactive elements that model output could also produce.
  useLayoutEffect(() => {
    for (const pre of Array.from(container.current?.querySelectorAll("pre") ?? [])) decorateCodeBlock(pre);
  }, [html]);

  return <div class="markdown" ref={container} dangerouslySetInnerHTML={{ __html: html }} />;
}

function decorateCodeBlock(pre: HTMLPreElement): void {
  if (pre.parentElement?.classList.contains("code-block")) return;
  const code = pre.querySelector("code");
  const language = /language-([\w+#.-]+)/.exec(code?.className ?? "")?.[1] ?? "text";
  const wrapper = document.createElement("div");
  wrapper.className = "code-block";
  const header = document.createElement("div");
  header.className = "code-header";
  const label = document.createElement("span");
  label.textContent = language;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "copy-button";
  button.textContent = "Copy";
  button.setAttribute("aria-label", `Copy ${language} code`);
  button.addEventListener("click", () => {
    void copyText(code?.textContent ?? pre.textContent ?? "").then((copied) => {
      button.textContent = copied ? "Copied" : "Copy failed";
      setTimeout(() => (button.textContent = "Copy"), 1500);
    });
  });
  header.append(label, button);
  pre.replaceWith(wrapper);
  wrapper.append(header, pre);
}

/** Copy to the clipboard, falling back to a hidden textarea where the async API is unavailable (plain http). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.append(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    return copied;
  }
}
