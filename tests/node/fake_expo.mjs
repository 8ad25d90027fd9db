// The Expo Push API as far as the reminder processor uses it, for the Node tests: tickets for every message,
// receipts for every ticket.
import http from 'node:http';

export async function startExpoFake() {
  const messages = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url.endsWith('/push/send')) {
      messages.push(...payload);
      res.end(JSON.stringify({ data: payload.map((_, i) => ({ status: 'ok', id: `ticket-${messages.length}-${i}` })) }));
    } else {
      res.end(JSON.stringify({ data: Object.fromEntries((payload.ids ?? []).map((id) => [id, { status: 'ok' }])) }));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { messages, url: `http://127.0.0.1:${server.address().port}/--/api/v2/push/send`, close: () => new Promise((r) => server.close(r)) };
}
