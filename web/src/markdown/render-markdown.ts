import DOMPurify from "dompurify";
import { Marked } from "marked";

// Model output is untrusted. Two layers: raw HTML in the Markdown is shown as text (never parsed), and the
// rendered HTML is sanitized with DOMPurify anyway (javascript: links, attributes marked lets through).
const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
  },
});

const ALLOWED_TAGS = [
  "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p",
  "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "span", "input",
];

let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A") {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer nofollow");
    }
    // GFM task lists render checkboxes; keep them, but inert.
    if (node.tagName === "INPUT") {
      if (node.getAttribute("type") !== "checkbox") node.remove();
      else node.setAttribute("disabled", "");
    }
  });
}

/** Markdown to sanitized HTML, safe to put into the page. */
export function renderMarkdown(markdown: string): string {
  installHooks();
  const html = marked.parse(markdown, { async: false });
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ["href", "title", "class", "type", "checked", "disabled", "align", "start"],
    ALLOW_DATA_ATTR: false,
  });
}

/** Escape text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
