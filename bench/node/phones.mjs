// The independent load generator: the official socket.io-client, one Node process.
//   node phones.mjs '{"urls": [...], "first": 0, "n": 5000, "poll": 1, "tokens": true, "concurrency": 200}'
// Takes voter tokens (POST /api/voter) when asked, opens `n` sockets on /audience over the
// websocket transport with `concurrency` connects in flight, then prints one JSON line
// {"ready": ...}. On "go" (a line on stdin) every socket emits `vote` with an ack at once;
// it prints {"votes": [[i, choice, sent, answered, ok, error], ...]}. On "release" it hangs
// up and exits. Times are CLOCK_MONOTONIC seconds (process.hrtime), the clock Python's
// time.monotonic() reads, so they compare with the other processes' stamps.
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const cfg = JSON.parse(process.argv[2]);
const CHOICES = ["satisfied", "basic", "unsatisfied"];
const now = () => Number(process.hrtime.bigint()) / 1e9;
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const indices = Array.from({ length: cfg.n }, (_, k) => cfg.first + k);
const urlOf = (i) => cfg.urls[i % cfg.urls.length];

async function pool(items, limit, fn) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) { const item = items[next++]; await fn(item); }
  });
  await Promise.all(runners);
}

const tokens = new Map();
const tTok = now();
if (cfg.tokens) {
  await pool(indices, 64, async (i) => {
    const r = await fetch(urlOf(i) + "/api/voter", { method: "POST" });
    tokens.set(i, (await r.json()).token);
  });
}
const tTokEnd = now();

const sockets = new Map();
const errors = [];
const t0 = now();
await pool(indices, cfg.concurrency || 200, (i) => new Promise((resolve) => {
  const s = io(urlOf(i) + "/audience", {
    transports: ["websocket"], reconnection: false, forceNew: true, timeout: 60000,
    auth: { token: tokens.get(i) || `node-${i}` },
  });
  s.once("connect", () => { sockets.set(i, s); resolve(); });
  s.once("connect_error", (err) => { errors.push(String(err && err.message)); s.close(); resolve(); });
}));
const t1 = now();
out({ ready: { t_tok: tTok, t_tok_end: tTokEnd, t0, t1, connected: sockets.size, failed: errors.length,
               errors: errors.slice(0, 3) } });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === "go") {
    const votes = await Promise.all([...sockets].map(([i, s]) => new Promise((resolve) => {
      const choice = CHOICES[i % CHOICES.length];
      const sent = now();
      s.timeout(60000).emit("vote", { poll: cfg.poll, choice }, (err, ack) => {
        const ok = !err && ack && ack.ok === true;
        resolve([i, choice, sent, now(), ok, err ? "timeout" : (ack && ack.error) || null]);
      });
    })));
    out({ votes });
  } else if (line.trim() === "release") {
    for (const s of sockets.values()) s.close();
    break;
  }
}
process.exit(0);
