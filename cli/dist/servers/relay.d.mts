import type { Server } from 'node:net';

export function relayServer(target: { host: string; port: number } | { path: string }): Server;
