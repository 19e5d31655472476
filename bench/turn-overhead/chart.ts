// A hand-written SVG line chart: no plotting dependency for one picture. Log-scaled y, because the two sides
// differ by orders of magnitude once the long-threads work lands.

/** One line of the chart. */
export interface ChartSeries {
  name: string;
  color: string;
  points: { turn: number; p50: number }[];
}

/** What the chart shows besides its series. */
export interface ChartOptions {
  title: string;
  subtitle: string;
  /** A dashed horizontal reference line (e.g. the 5 ms target). */
  reference?: { value: number; label: string };
}

const WIDTH = 900;
const HEIGHT = 500;
const MARGIN = { top: 64, right: 110, bottom: 56, left: 72 };

/** Render p50 turn latency against turn number as a standalone SVG document. */
export function renderLatencyChart(series: readonly ChartSeries[], options: ChartOptions): string {
  const all = series.flatMap((line) => line.points).filter((point) => Number.isFinite(point.p50) && point.p50 > 0);
  const maxTurn = Math.max(1, ...all.map((point) => point.turn));
  const values = all.map((point) => point.p50).concat(options.reference ? [options.reference.value] : []);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...values, 1)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...values, 10)));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (turn: number) => MARGIN.left + (turn / maxTurn) * plotWidth;
  const y = (ms: number) => MARGIN.top + plotHeight - ((Math.log10(ms) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<text x="${MARGIN.left}" y="44" fill="#555">${escapeXml(options.subtitle)}</text>`,
  ];
  for (const tick of logTicks(yMin, yMax)) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${formatMs(tick)}</text>`);
  }
  for (const tick of linearTicks(maxTurn)) {
    parts.push(`<line x1="${x(tick).toFixed(1)}" x2="${x(tick).toFixed(1)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${x(tick).toFixed(1)}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${tick}</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`);
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle">turn number</text>`);
  parts.push(`<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">turn latency p50 (ms, log scale)</text>`);
  if (options.reference) {
    const referenceY = y(options.reference.value).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${referenceY}" y2="${referenceY}" stroke="#2a9d3c" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${MARGIN.left + plotWidth + 8}" y="${Number(referenceY) + 4}" fill="#2a9d3c">${escapeXml(options.reference.label)}</text>`);
  }
  for (const [index, line] of series.entries()) {
    const points = line.points.filter((point) => Number.isFinite(point.p50) && point.p50 > 0);
    const path = points.map((point, at) => `${at === 0 ? "M" : "L"}${x(point.turn).toFixed(1)},${y(point.p50).toFixed(1)}`).join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${line.color}" stroke-width="2"/>`);
    // The legend sits inside the plot's top-left corner, on a white box so lines passing under it stay readable.
    const legendY = MARGIN.top + 18 + index * 20;
    if (index === 0) parts.push(`<rect x="${MARGIN.left + 8}" y="${MARGIN.top + 6}" width="230" height="${series.length * 20 + 4}" fill="white" fill-opacity="0.85" stroke="#ddd"/>`);
    parts.push(`<line x1="${MARGIN.left + 14}" x2="${MARGIN.left + 34}" y1="${legendY}" y2="${legendY}" stroke="${line.color}" stroke-width="3"/>`);
    parts.push(`<text x="${MARGIN.left + 40}" y="${legendY + 4}">${escapeXml(line.name)}</text>`);
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** 1, 2, 5 × 10^k between the bounds. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let decade = min; decade <= max; decade *= 10) {
    for (const step of [1, 2, 5]) if (decade * step <= max) ticks.push(decade * step);
  }
  return ticks;
}

/** About five round ticks from 0 to max. */
function linearTicks(max: number): number[] {
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? rough;
  const ticks: number[] = [];
  for (let tick = 0; tick <= max; tick += step) ticks.push(tick);
  return ticks;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
