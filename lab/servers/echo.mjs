// An echo server for long-lived connections, run in the lab's internet namespace.
// Usage: node echo.mjs ADDR PORT
import { createServer } from 'node:net';

const [addr, port] = process.argv.slice(2);
createServer((s) => {
  s.on('error', () => {});
  s.pipe(s);
}).listen(Number(port), addr, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
