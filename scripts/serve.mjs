#!/usr/bin/env node
// Serves the production build (dist/) on localhost with the cross-origin isolation headers WASM
// threads need, the Content-Security-Policy and nosniff (static-assets.mjs, on every response, errors
// included), and the model weights / WASM binaries the build copied in. No dependencies.
// Usage: node scripts/serve.mjs [--port N] [--host H]   (PORT env also works; the next free port is used if taken)
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { contentTypes, projectRoot, securityHeaders } from './static-assets.mjs';

const args = process.argv.slice(2);
const argValue = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const distDir = join(projectRoot, 'dist');
const host = argValue('--host') ?? '127.0.0.1';
let port = Number(argValue('--port') ?? process.env.PORT ?? 4173);

if (!existsSync(join(distDir, 'index.html'))) {
  console.error('dist/index.html not found: run `npm run build` first (npm start does both).');
  process.exit(1);
}

function resolvePath(urlPath) {
  const decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  const candidate = normalize(join(distDir, decoded));
  if (candidate !== distDir && !candidate.startsWith(distDir + sep)) return null;
  if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return null;
}

const server = createServer((req, res) => {
  for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end();
    return;
  }
  let path;
  try {
    path = resolvePath(req.url ?? '/');
  } catch {
    res.writeHead(400).end('bad path');
    return;
  }
  const url = req.url ?? '/';
  // Unknown paths that look like app routes get the app; missing assets get a real 404.
  if (!path && !/\.[a-z0-9]+$/i.test(url.split('?')[0] ?? '')) path = join(distDir, 'index.html');
  if (!path) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${url}`);
    return;
  }
  const { size, mtimeMs } = statSync(path);
  const immutable = url.startsWith('/assets/');
  // Everything else revalidates: a warm cache re-downloads nothing that did not change (304),
  // yet a new build or a re-installed model is picked up at once.
  const etag = `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
  if (!immutable && req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache' }).end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': contentTypes[extname(path)] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...(immutable ? {} : { ETag: etag }),
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(path).pipe(res);
});

server.on('error', (error) => {
  if (error.code === 'EADDRINUSE' && port < 65535) {
    port += 1;
    server.listen(port, host);
  } else {
    console.error(`server error: ${error.message}`);
    process.exit(1);
  }
});
server.on("listening", () => {
  console.log(`Keypoint Bench is running at http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/  (Ctrl+C to stop)`);
});
server.listen(port, host);
