import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Logger } from 'pino';
import type { MessageStore } from './store.js';

const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

/**
 * A real SMTP listener on loopback: accepts any sender and recipient (it is a mail catcher, like
 * Mailpit), parses each message with mailparser and keeps it in the store.
 */
export async function startSmtpServer(store: MessageStore, port: number, log: Logger): Promise<{ server: SMTPServer; port: number }> {
  const server = new SMTPServer({
    name: 'agora-inbox',
    banner: 'Agora local inbox (Mailpit compatible)',
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    // On stop, connections still open (a sender's idle pool) are cut after a second, not 30.
    closeTimeout: 1000,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('Message exceeds the maximum size'), { responseCode: 552 }));
          return;
        }
        // mailparser is loaded with the first message, not on every start of the stack.
        import('mailparser')
          .then(({ simpleParser }) => simpleParser(raw))
          .then((parsed) => {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
            const message = store.add(parsed, raw, { from, to: session.envelope.rcptTo.map((r) => r.address) });
            log.debug({ id: message.ID, subject: message.Subject }, 'inbox received a message');
            callback(null, `Ok: queued as ${message.ID}`);
          })
          .catch((err: Error) => callback(Object.assign(new Error(`Cannot parse message: ${err.message}`), { responseCode: 554 })));
      });
    },
  });
  server.on('error', (err) => log.warn({ err }, 'inbox SMTP error'));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  return { server, port: (server.server.address() as AddressInfo).port };
}
