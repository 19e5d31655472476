import net from "node:net";
import type { AddressInfo } from "node:net";

/** A TCP proxy in front of Postgres whose traffic can be frozen (connections stay open, nothing passes) or refused. */
export interface FreezingProxy extends AsyncDisposable {
  /** `url` with its host and port replaced by the proxy's. */
  url: string;
  /** Stop forwarding bytes either way; new connections are accepted but hear nothing. */
  freeze(): void;
  /** Forward again, starting with what was held back. */
  thaw(): void;
  /** Close every connection through the proxy and refuse new ones until `accept()`. */
  refuse(): void;
  /** Accept connections again. */
  accept(): void;
}

/** Start a proxy to the database of `url` on a free loopback port. */
export async function startFreezingProxy(url: string): Promise<FreezingProxy> {
  const target = new URL(url);
  let frozen = false;
  let refusing = false;
  const held = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const forward = (from: net.Socket, to: net.Socket) => {
    from.on("data", (chunk: Buffer) => {
      // Held in order: the database sees the same byte stream once thawed, as after a network stall.
      if (frozen) held.add(() => to.write(chunk));
      else to.write(chunk);
    });
  };
  const server = net.createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((server.address() as AddressInfo).port);
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: proxied.toString(),
    freeze: () => void (frozen = true),
    thaw: () => {
      frozen = false;
      const pending = [...held];
      held.clear();
      for (const send of pending) send();
    },
    refuse: () => {
      refusing = true;
      destroyAll();
    },
    accept: () => void (refusing = false),
    [Symbol.asyncDispose]: async () => {
      destroyAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
