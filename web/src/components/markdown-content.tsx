import { useLayoutEffect, useMemo, useRef } from "preact/hooks";
import { useI18n } from "../i18n/i18n-context.js";
import { renderMarkdown } from "../markdown/render-markdown.js";

/** Rendered, sanitized Markdown; every code block gets a header with its language and a copy button. */
export function MarkdownContent({ text }: { text: string }) {
  const { t } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const html = useMemo(() => renderMarkdown(text), [text]);
  const words: CopyWords = { copy: t("code.copy"), copied: t("code.copied"), failed: t("code.copyFailed"), label: (language) => t("code.copyLabel", { language }) };
  const latestWords = useRef(words);
  latestWords.current = words;

  // Buttons are added to the sanitized DOM here rather than emitted as HTML, so the sanitizer never has to
  // allow interactive elements that model output could also produce. A language switch relabels them.
  useLayoutEffect(() => {
    for (const pre of Array.from(container.current?.querySelectorAll("pre") ?? [])) decorateCodeBlock(pre, latestWords);
    for (const button of Array.from(container.current?.querySelectorAll<HTMLButtonElement>(".copy-button") ?? [])) labelCopyButton(button, words);
  }, [html, words.copy]);

  return <div class="markdown" ref={container} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** The copy button's words in the page's language. */
interface CopyWords {
  copy: string;
  copied: string;
  failed: string;
  label: (language: string) => string;
}

function labelCopyButton(button: HTMLButtonElement, words: CopyWords): void {
  if (!button.dataset.feedback) button.textContent = words.copy;
  button.setAttribute("aria-label", words.label(button.dataset.language ?? "text"));
}

function decorateCodeBlock(pre: HTMLPreElement, words: { readonly current: CopyWords }): void {
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
  button.dataset.language = language;
  labelCopyButton(button, words.current);
  button.addEventListener("click", () => {
    void copyText(code?.textContent ?? pre.textContent ?? "").then((copied) => {
      // Feedback in the language of the moment; while it shows, a relabel leaves it alone.
      button.dataset.feedback = "1";
      button.textContent = copied ? words.current.copied : words.current.failed;
      setTimeout(() => {
        delete button.dataset.feedback;
        button.textContent = words.current.copy;
      }, 1500);
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
