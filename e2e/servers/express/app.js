// Express + the `cors` package in typical configurations and misconfigurations, one route prefix each, for
// scripts/real-servers.sh. Listens on 127.0.0.1 (port from argv[2], default 0 = free) and prints
// `listening on http://127.0.0.1:<port>`. Nothing here knows the page's origin: every decision is made
// by the cors package from the request's Origin header.
'use strict';
const express = require('express');
const cors = require('cors');

const app = express();
const ok = (req, res) => res.json({ ok: true, method: req.method, path: req.originalUrl });
const all = (path, ...handlers) => app.all(path, ...handlers, ok);

// 1. Default cors(): `Access-Control-Allow-Origin: *`, preflights reflect the requested headers and allow
//    GET,HEAD,PUT,PATCH,POST,DELETE.
app.use('/default', cors());
all('/default');

// 2. A fixed origin that is not the page's: always answers `https://app.example.com`.
app.use('/fixed', cors({ origin: 'https://app.example.com' }));
all('/fixed');

// 3. The usual "make it work" setting: reflect any Origin, with credentials.
app.use('/reflect', cors({ origin: true, credentials: true }));
all('/reflect');

// 4. credentials: true with the default origin `*`: `*` plus `Access-Control-Allow-Credentials: true`.
app.use('/wildcard-credentials', cors({ credentials: true }));
all('/wildcard-credentials');

// 5. Only Content-Type allowed as a request header.
app.use('/headers', cors({ allowedHeaders: ['Content-Type'] }));
all('/headers');

// 6. Only GET and POST allowed.
app.use('/methods', cors({ methods: ['GET', 'POST'] }));
all('/methods');

// 7. An error raised before cors runs (e.g. an auth or body-parser middleware mounted first): the error
//    handler answers 500 without any CORS header.
app.use('/error', (req, res, next) => next(new Error('boom before cors')));
app.use('/error', cors());
all('/error');

// 8. cors only on the method routes: OPTIONS (the preflight) is not routed through cors at all, and Express 5
//    has no automatic OPTIONS reply, so the app's 404 answers it without CORS headers.
app.get('/get-only', cors(), ok);
app.put('/get-only', cors(), ok);

// 9. Spring's way of refusing a preflight (DefaultCorsProcessor: a header or method outside the policy gets
//    `403 Invalid CORS request` with no CORS header at all; rack-cors likewise drops them), written out here
//    because no JVM is available: any origin, methods GET and POST, request header Content-Type only.
app.use('/spring-style', (req, res, next) => {
  const origin = req.get('origin');
  if (!origin) return next();
  res.vary('Origin');
  const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method');
  if (preflight) {
    const method = req.get('access-control-request-method');
    const headers = (req.get('access-control-request-headers') ?? '')
      .split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
    if (!['GET', 'POST'].includes(method) || headers.some((h) => h !== 'content-type')) {
      return res.status(403).send('Invalid CORS request');
    }
    res.set({
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'GET,POST',
      'Access-Control-Allow-Headers': headers.join(', '),
    });
    return res.status(200).end();
  }
  res.set('Access-Control-Allow-Origin', origin);
  return next();
});
all('/spring-style');

app.use((req, res) => res.status(404).send('Not Found'));
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => res.status(500).send(`Internal Server Error: ${err.message}`));

const server = app.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
