// Inline SVG icons: no icon font or emoji font needed, and they follow the text colour.

const COMMON = { width: 16, height: 16, viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", "stroke-width": 2, "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true" } as const;

/** A pencil. */
export function PencilIcon() {
  return (
    <svg {...COMMON}>
      <path d="M12 20h9" />
      <path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z" />
    </svg>
  );
}

/** A bin. */
export function TrashIcon() {
  return (
    <svg {...COMMON}>
      <path d="M3 6h18" />
      <path d="M8 6V4h8v2" />
      <path d="M19 6l-1 14H6L5 6" />
    </svg>
  );
}

/** Three lines. */
export function MenuIcon() {
  return (
    <svg {...COMMON} width={20} height={20}>
      <path d="M4 6h16M4 12h16M4 18h16" />
    </svg>
  );
}

/** A cross. */
export function CloseIcon() {
  return (
    <svg {...COMMON}>
      <path d="M18 6 6 18M6 6l12 12" />
    </svg>
  );
}
