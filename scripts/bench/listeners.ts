// Child process for the live bench: holds N dashboard connections to /live that only
// count what they receive (raw Engine.IO over WebSocket, no parsing), so the load
// generator's own decoding doesn't stand in for the server's fan-out cost.
// Usage: tsx scripts/bench/listeners.ts <base url> <dashboard token> <count>
import WebSocket from 'ws';

const [url = '', token = '', countArg = '0'] = process.argv.slice(2);
const count = Number(countArg);
let ready = 0;
let frames = 0;
const sockets: WebSocket[] = [];

for (let i = 0; i < count; i++) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  sockets.push(ws);
  ws.on('message', (data: Buffer) => {
    const kind = data[0];
    if (kind === 0x30 /* '0' open */) ws.send(`40/live,${JSON.stringify({ token })}`);
    else if (kind === 0x32 /* '2' ping */) ws.send('3');
    else if (data.subarray(0, 7).toString() === '40/live' && ++ready === count) process.stdout.write('ready\n');
    else frames++;
  });
}
process.on('SIGTERM', () => {
  process.stdout.write(`frames ${frames}\n`);
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
