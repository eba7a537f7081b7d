import Fastify from 'fastify';

// The baseline: a bare Fastify route answering a small JSON object, nothing else.
const app = Fastify({ logger: false });
app.get('/bare', async () => ({ status: 'ok' }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`url: ${url}`);
// Exit at once: a benchmark's keep-alive connections must not hold the process open.
process.on('SIGTERM', () => process.exit(0));
