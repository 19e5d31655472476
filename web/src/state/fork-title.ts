/**
 * A fork's title in the page's language, which the server would word in English: the source's marked as a fork
 * once (a fork of a fork, in either language, does not pile the marks up).
 */
export function forkTitle(title: string, mark: (title: string) => string): string {
  return /(\(fork\)|（分叉）)$/.test(title) ? title : mark(title);
}
