import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";

export interface ReceivedMail {
  to: string[];
  raw: string;
  /** The decoded text body (quoted-printable undone). */
  text: string;
}

/** A real SMTP server on loopback; the app sends through nodemailer to it. */
export class Mailbox {
  readonly mails: ReceivedMail[] = [];
  private waiters: Array<() => void> = [];
  private constructor(private readonly server: SMTPServer, readonly url: string) {}

  static async start(): Promise<Mailbox> {
    let box: Mailbox | null = null;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          box?.receive({ to: session.envelope.rcptTo.map((r) => r.address), raw, text: decodeBody(raw) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.server.address() as AddressInfo).port;
    box = new Mailbox(server, `smtp://127.0.0.1:${port}`);
    return box;
  }

  private receive(mail: ReceivedMail): void {
    this.mails.push(mail);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits for a mail to `to` whose text matches, and returns the first match group or the text. */
  async waitFor(to: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const mail of [...this.mails].reverse()) {
        const match = mail.to.includes(to) ? pattern.exec(mail.text) : null;
        if (match) return match[1] ?? match[0];
      }
      if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${pattern} arrived`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function decodeBody(raw: string): string {
  const body = raw.split(/\r?\n\r?\n/).slice(1).join("\n\n");
  return body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
