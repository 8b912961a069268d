// The Node reference: a socket.io 4 server doing what bench/bare_server.py does, in memory.
// Any phone on /audience; each `vote` is counted and acked at once (no persistence); a
// `tally` goes to /overlay through the same 100 ms throttle as the engine. Prints
// `node-socketio listening on http://HOST:PORT` when ready; SIGTERM stops it.
import { createServer } from "node:http";
import { Server } from "socket.io";

const host = process.argv[2] || "127.0.0.1";
const port = Number(process.argv[3] || 0);
const PUSH_INTERVAL_MS = 100;

// Everything but /socket.io/ lands here: /healthz answers, as the engine's does (the bench
// times it while the phones hang up).
const http = createServer((req, res) => {
  res.writeHead(req.url === "/healthz" ? 200 : 404, { "content-type": "application/json" });
  res.end(req.url === "/healthz" ? '{"ok":true}' : '{"error":"not_found"}');
});
const io = new Server(http, { maxHttpBufferSize: 16 * 1024, cors: { origin: "*" } });
const tally = {};
const voters = new Set();
let handle = null;
let last = 0;

function poke() {
  if (handle !== null) return;
  const delay = Math.max(0, last + PUSH_INTERVAL_MS - Date.now());
  handle = setTimeout(() => {
    handle = null;
    last = Date.now();
    const ballots = Object.values(tally).reduce((a, b) => a + b, 0);
    io.of("/overlay").emit("tally", { id: 1, tally: { remote: { ...tally } }, ballots });
  }, delay);
}

io.of("/audience").on("connection", (socket) => {
  socket.on("vote", (data, ack) => {
    if (typeof ack !== "function") return;
    if (data === null || typeof data !== "object" || voters.has(socket.id)) {
      ack({ ok: false, error: voters.has(socket.id) ? "duplicate" : "invalid" });
      return;
    }
    voters.add(socket.id);
    const key = String(data.choice);
    tally[key] = (tally[key] || 0) + 1;
    poke();
    ack({ ok: true });
  });
});
io.of("/overlay").on("connection", () => {});

http.listen(port, host, () => {
  const a = http.address();
  console.log(`node-socketio listening on http://${a.address}:${a.port}`);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => { io.close(); process.exit(0); });
