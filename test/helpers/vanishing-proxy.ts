/**
 * @module A proxy to a server (Redis in tests) that goes down as its second client connects: that one is cut,
 * and its port refuses the next, as a Redis that stops between a client's first connection and its second.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export async function vanishingProxy(serverPort: number): Promise<{ url: string; port: number; server: Server }> {
  const sockets: Socket[] = [];
  let clients = 0;
  const server = createServer((client) => {
    sockets.push(client);
    if (++clients === 2) {
      server.close();
      for (const socket of sockets) socket.destroy();
      return;
    }
    const upstream = connect(serverPort, "127.0.0.1");
    sockets.push(upstream);
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as AddressInfo).port;
  return { url: `redis://127.0.0.1:${port}`, port, server };
}
