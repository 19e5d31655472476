/**
 * A TCP proxy that holds every chunk for a fixed time in each direction, to run the benchmarks against a database
 * that is "on another host" (round trip = 2 × delay on top of loopback). Order is kept per direction. Run it in a
 * process of its own so its work is not charged to the server being measured.
 * @example node --import tsx bench/turn-overhead/latency-proxy.ts --listen 6432 --target 127.0.0.1:5432 --delay-ms 0.5
 *          BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:6432/postgres node --import tsx bench/turn-overhead/settings-ab.ts …
 */
import net from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { listen: { type: "string", default: "6432" }, target: { type: "string", default: "127.0.0.1:5432" }, "delay-ms": { type: "string", default: "0.5" } },
});
const [targetHost = "127.0.0.1", targetPort = "5432"] = values.target.split(":");
const delayMs = Number(values["delay-ms"]);
if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error("--delay-ms must be a non-negative number");

/** Forward `from` → `to`, each chunk `delayMs` after it arrived (a timer per chunk keeps arrival order). */
function delayed(from: net.Socket, to: net.Socket): void {
  from.on("data", (chunk) => {
    setTimeout(() => to.write(chunk), delayMs);
  });
  from.on("end", () => setTimeout(() => to.end(), delayMs));
  from.on("error", () => to.destroy());
}

const server = net.createServer((client) => {
  client.setNoDelay(true);
  const upstream = net.connect({ host: targetHost, port: Number(targetPort) });
  upstream.setNoDelay(true);
  delayed(client, upstream);
  delayed(upstream, client);
});
server.listen(Number(values.listen), "127.0.0.1", () => console.log(`latency proxy :${values.listen} → ${values.target}, ${delayMs} ms each way`));
