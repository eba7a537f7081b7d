import Fastify from 'fastify';

// The baseline: a bare Fastify route answering a small JSON object, nothing else.
const app = Fastify({ logger: false });
app.get('/bare', async () => ({ status: 'ok' }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`url: ${url}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
