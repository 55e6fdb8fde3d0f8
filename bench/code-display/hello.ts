/** The baseline: a bare Fastify hello-world, same Node, same machine, same run. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
const port = Number(process.env.PORT ?? 18101);
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`ready ${port}\n`);
