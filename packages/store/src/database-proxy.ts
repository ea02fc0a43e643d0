import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** Frontend messages that start a query: Parse, Bind (a prepared statement's run), Query. */
const queryMessageTypes = new Set(['P', 'B', 'Q'].map((c) => c.charCodeAt(0)));

/**
 * A loopback TCP proxy in front of a Postgres server, for tests of what the network does to us:
 * the database going away and coming back, or a statement that runs and commits while its answer
 * is lost on the way back. Clients connect to `url` instead of the server's.
 */
export class DatabaseProxy {
  private readonly connections = new Set<Socket>();
  private refusing = false;
  private answerToLose: { text: Buffer; swallowed: () => void } | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(serverUrl: string): Promise<DatabaseProxy> {
    const target = new URL(serverUrl);
    const upstream = { host: target.hostname, port: Number(target.port || 5432) };
    let proxy: DatabaseProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, upstream));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = new URL(serverUrl);
    url.hostname = '127.0.0.1';
    url.port = String((server.address() as AddressInfo).port);
    proxy = new DatabaseProxy(server, url.toString());
    return proxy;
  }

  /** Drops every open connection and refuses new ones, as a database that has gone away. */
  down(): void {
    this.refusing = true;
    for (const socket of this.connections) socket.destroy();
  }

  /** Accepts connections again. */
  up(): void {
    this.refusing = false;
  }

  /**
   * The next query whose text contains `text` reaches the server, which runs (and commits) it;
   * the client's connection is dropped before the answer arrives. Resolves once the server has
   * answered. The text is only on the wire when a statement is first sent on its connection (a
   * prepared one is later run by name), and the query must arrive in one write, as pg sends it.
   */
  loseAnswerTo(text: string): Promise<void> {
    return new Promise((resolve) => {
      this.answerToLose = { text: Buffer.from(text), swallowed: resolve };
    });
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, upstream: { host: string; port: number }): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const server = createConnection(upstream);
    for (const socket of [client, server]) {
      this.connections.add(socket);
      socket.on('close', () => this.connections.delete(socket));
      // A dropped side ends the other; the errors are the point of the exercise, not failures.
      socket.on('error', () => {});
    }
    const endServer = () => server.destroy();
    client.on('close', endServer);
    server.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('data', (chunk: Buffer) => {
      const losing = this.answerToLose;
      if (losing && queryMessageTypes.has(chunk[0]!) && chunk.includes(losing.text)) {
        this.answerToLose = null;
        // The server side stays open until the answer comes, so the statement runs to its end.
        server.removeAllListeners('data');
        client.off('close', endServer);
        client.destroy();
        server.once('data', () => {
          server.destroy();
          losing.swallowed();
        });
      }
      server.write(chunk);
    });
    server.on('close', () => client.destroy());
  }
}
