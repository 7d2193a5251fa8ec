// The official tus server (@tus/server + @tus/file-store) behind HTTP Basic authentication,
// for tests/upload/. tus itself has no authentication; portals put it behind a gate like this.
//
//   node tus.mjs STORE_DIR PORT USER:PASS [MAX_SIZE]     (PORT 0 = any free port)
//
// With TLS_CERT and TLS_KEY (PEM files) in the environment it serves HTTPS instead (for
// `--ca-cert`: a portal whose certificate comes from a private CA).
//
// Prints "listening PORT" on stdout once it accepts connections. Besides tus under /files/:
// - GET /__stats (no authentication) answers counters as JSON, so tests can assert how many
//   requests the uploader made (no retries after a 401) and how many PATCH body bytes it
//   declared (Content-Length; an upper bound of what it sent, so "at most one chunk twice"
//   can be checked after a kill);
// - PUT /raw/NAME stores the body as STORE_DIR/raw/NAME (for `--protocol put`; uploadserver
//   takes no PUT).
import http from "node:http";
import https from "node:https";
import fs from "node:fs";
import path from "node:path";
import { Server } from "@tus/server";
import { FileStore } from "@tus/file-store";

const [storeDir, portArg, credentials, maxSize] = process.argv.slice(2);
if (!storeDir || portArg === undefined || !credentials) {
  console.error("usage: node tus.mjs STORE_DIR PORT USER:PASS [MAX_SIZE]");
  process.exit(2);
}
const expected = "Basic " + Buffer.from(credentials).toString("base64");

const tus = new Server({
  path: "/files",
  // A relative Location makes the client resolve it against the URL it used, as the
  // protocol allows.
  relativeLocation: true,
  ...(maxSize ? { maxSize: Number(maxSize) } : {}),
  datastore: new FileStore({ directory: storeDir }),
});

const stats = {
  requests: 0,
  unauthorized: 0,
  methods: {},
  patch_bytes_declared: 0,
  put_bytes: 0,
};

function receiveRaw(req, res) {
  const name = path.basename(decodeURIComponent(req.url.slice("/raw/".length)));
  const dir = path.join(storeDir, "raw");
  fs.mkdirSync(dir, { recursive: true });
  const out = fs.createWriteStream(path.join(dir, name));
  req.on("data", (chunk) => (stats.put_bytes += chunk.length));
  req.pipe(out);
  out.on("finish", () => {
    res.writeHead(201);
    res.end();
  });
  req.on("error", () => out.destroy());
}

function handle(req, res) {
  if (req.method === "GET" && req.url === "/__stats") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(stats));
    return;
  }
  stats.requests += 1;
  stats.methods[req.method] = (stats.methods[req.method] ?? 0) + 1;
  if (req.headers.authorization !== expected) {
    stats.unauthorized += 1;
    res.writeHead(401, { "WWW-Authenticate": 'Basic realm="upload"', "Content-Type": "text/plain" });
    res.end("authentication required\n");
    return;
  }
  if (req.method === "PATCH") {
    stats.patch_bytes_declared += Number(req.headers["content-length"] ?? 0);
  }
  if (req.method === "PUT" && req.url.startsWith("/raw/")) {
    receiveRaw(req, res);
    return;
  }
  tus.handle(req, res);
}

const tls = process.env.TLS_CERT && process.env.TLS_KEY;
const server = tls
  ? https.createServer(
      { cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) },
      handle,
    )
  : http.createServer(handle);

server.listen(Number(portArg), "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
