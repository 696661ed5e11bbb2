// A DHCP client as seed 000 met it, run inside a NAT namespace: it reads its configuration
// once at start, writes the resolver file from it, and on every lease renewal (SIGHUP)
// writes the file again from the configuration it loaded at start, not from the one on disk.
// Usage: node dhcp-client.mjs CONFIG RESOLV_OUT PIDFILE   (CONFIG: lines "nameserver X")
import { readFileSync, writeFileSync } from 'node:fs';
import { setInterval } from 'node:timers';

const [config, out, pidfile] = process.argv.slice(2);
const loaded = readFileSync(config, 'utf8');
const writeLease = () => writeFileSync(out, `# written by the lab dhcp client\n${loaded}`);
writeLease();
writeFileSync(pidfile, `${process.pid}\n`);
process.on('SIGHUP', writeLease);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1 << 30);
console.log('ready');
