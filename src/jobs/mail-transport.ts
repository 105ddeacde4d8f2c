/**
 * Where account emails finally go: SMTP through nodemailer when SMTP_URL is set, otherwise the
 * log (development: the message, links included, is written at info level). Tests pass their
 * own transport (ContainerOptions.mailTransport) and read what was sent.
 */
import { createTransport } from 'nodemailer';
import type { Logger } from '../platform/logger';

export interface Email {
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  send(email: Email & { from: string }): Promise<void>;
  close?(): void;
}

export function smtpTransport(url: string): MailTransport {
  const transporter = createTransport(url);
  return {
    async send(email) {
      await transporter.sendMail({ from: email.from, to: email.to, subject: email.subject, text: email.text });
    },
    close: () => transporter.close(),
  };
}

export function logTransport(logger: Logger): MailTransport {
  return {
    async send(email) {
      logger.info({ email: { to: email.to, subject: email.subject, text: email.text } }, 'email written to the log (SMTP_URL is not set)');
    },
  };
}

export function mailTransportFor(smtpUrl: string | undefined, logger: Logger): MailTransport {
  return smtpUrl ? smtpTransport(smtpUrl) : logTransport(logger);
}
