import nodemailer, { type Transporter } from "nodemailer";
import type { Logger } from "pino";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Where a service logs on behalf of one call: the request's logger (request.log), so every
 * line written while a request runs carries its reqId.
 */
export interface CallLog {
  warn(details: object, message: string): void;
}

export interface Mailer {
  send(mail: Mail, log?: CallLog): Promise<void>;
}

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  constructor(smtpUrl: string, private readonly from: string) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }
  async send(mail: Mail): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }
}

/** Without SMTP the operator still needs the links (first admin, password resets): log them. */
export class LogMailer implements Mailer {
  constructor(private readonly log: Logger) {}
  async send(mail: Mail, log: CallLog = this.log): Promise<void> {
    log.warn({ mailTo: mail.to, subject: mail.subject, body: mail.text }, "PINHOLE_SMTP_URL is not set; this mail was not sent");
  }
}
