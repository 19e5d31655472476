/** "now", "5 min", "3 h", or the date: how long ago an ISO time was, short enough for a sidebar row. */
export function relativeTime(iso: string): string {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return "now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return new Date(iso).toLocaleDateString();
}
