/**
 * @module A TCP proxy in front of a server (Redis in tests) that can hold what its clients send, as a slow
 * network would: requests stay on their way, replies still come. Bytes a client sent before it closed are
 * delivered on release all the same (they had left the client).
 */
import { connect, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface HoldingProxy {
  /** the port clients connect to */
  port: number;
  /** from now on, what clients send is held */
  hold(): void;
  /** delivers what was held, and what comes after */
  release(): void;
  close(): void;
}

export async function holdingProxy(serverPort: number): Promise<HoldingProxy> {
  let holding = false;
  const held: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const send = (deliver: () => void) => (holding ? held.push(deliver) : deliver());
  const server = createServer((client) => {
    const upstream = connect(serverPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.on("data", (data) => send(() => upstream.write(data)));
    client.on("close", () => send(() => upstream.end()));
    client.on("error", () => {});
    upstream.on("data", (data) => client.destroyed || client.write(data));
    upstream.on("close", () => client.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const deliver of held.splice(0)) deliver();
    },
    close() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}
