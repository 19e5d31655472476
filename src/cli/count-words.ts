/** "1 message", "2 messages": a count with its English noun (the terminal's output is English). */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
