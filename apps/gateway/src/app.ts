import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server } from 'socket.io';
import type { Logger, Metrics } from '@thumbline/core';
import { readLive, type CredentialStore, type Keys, type RedisClient } from '@thumbline/redis';
import { deltaPayload, room, setupLiveNamespace } from './live.namespace.ts';
import { startCredentialSweep } from './credential-sweep.ts';

export { room, deltaPayload } from './live.namespace.ts';

export interface GatewayDeps {
  redis: RedisClient;
  /** New connections: the live-stream reader blocks, and the adapter needs its own. */
  connect: () => RedisClient;
  keys: Keys;
  store: CredentialStore;
  log: Logger;
  metrics: Metrics;
}

export interface Gateway {
  io: Server;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Largest packet a client may send. Dashboards only send the handshake (`{ token,
 * last_seq }`, under 100 bytes); Socket.IO's default of 1 MB let 0.9 MB junk tokens in.
 */
export const MAX_CLIENT_PACKET_BYTES = 4096;

/**
 * The live gateway on an existing HTTP server (same port as the API under npm start).
 * Each node reads the live stream once per batch of deltas and emits to its own sockets
 * in the workspace's room, so fan-out costs one Redis read per delta per node, not per
 * socket; a slow socket only fills its own buffer. The Redis Streams adapter lets nodes
 * share rooms and recover connection state.
 */
export function attachGateway(server: HttpServer, deps: GatewayDeps): Gateway {
  const adapterRedis = deps.connect();
  const io = new Server(server, {
    path: '/socket.io/',
    serveClient: false,
    cors: { origin: true },
    maxHttpBufferSize: MAX_CLIENT_PACKET_BYTES,
    // A connection refused by /live stays open for the client to try again; close it
    // sooner than the default 45 s so a flood of refused handshakes holds little.
    connectTimeout: 10_000,
    adapter: createAdapter(adapterRedis, {
      streamName: deps.keys.socketIo.stream,
      sessionKeyPrefix: deps.keys.socketIo.sessions,
      channelPrefix: deps.keys.socketIo.channels,
      onlyPlaintext: true,
    }),
  });
  const nsp = io.of('/live');
  setupLiveNamespace(nsp, deps);
  const sweep = startCredentialSweep(nsp, deps);
  const connected = () => deps.metrics.liveSockets.set(nsp.sockets.size);
  nsp.on('connection', (socket) => {
    connected();
    socket.on('disconnect', connected);
  });

  const reader = deps.connect();
  let running = true;
  const loop = (async () => {
    let lastId = '$';
    while (running) {
      try {
        for (const entry of await readLive(reader, deps.keys, lastId, 1000)) {
          lastId = entry.id;
          const dashboards = room(entry.workspaceId);
          // Nobody here watches this workspace: skip decoding a delta no socket would get.
          if (!nsp.adapter.rooms.get(dashboards)?.size) continue;
          if (entry.event === 'review') {
            nsp.local.to(dashboards).emit('review', JSON.parse(entry.body) as unknown);
            continue;
          }
          nsp.local.to(dashboards).emit('delta', deltaPayload(entry.seq, entry.body));
          deps.metrics.liveDeltas.inc();
        }
      } catch (err) {
        if (!running) break;
        deps.log.warn({ err }, 'gateway: live stream read failed; retrying');
        await sleep(500);
      }
    }
  })();

  return {
    io,
    async close() {
      running = false;
      sweep.stop();
      reader.disconnect();
      await loop;
      await new Promise<void>((ok) => {
        io.close(() => ok());
      });
      adapterRedis.disconnect();
    },
  };
}
