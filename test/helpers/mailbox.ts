/** A mail transport for tests (ContainerOptions.mailTransport): keeps what the email queue sends. */
import type { Email, MailTransport } from '../../src/jobs/mail-transport';

export class Mailbox implements MailTransport {
  readonly sent: Array<Email & { from: string }> = [];

  async send(email: Email & { from: string }): Promise<void> {
    this.sent.push(email);
  }

  /** Emails sent to `to` so far. */
  to(to: string): Array<Email & { from: string }> {
    return this.sent.filter((e) => e.to === to.toLowerCase());
  }

  /** Waits until `to` has received `count` emails (the queue delivers asynchronously); returns the last. */
  async waitFor(to: string, count = 1, timeoutMs = 10_000): Promise<Email & { from: string }> {
    const deadline = Date.now() + timeoutMs;
    while (this.to(to).length < count) {
      if (Date.now() > deadline) throw new Error(`no email #${count} to ${to} within ${timeoutMs} ms (got ${this.to(to).length})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.to(to)[count - 1]!;
  }

  /** The first link in an email with `path`, or the token after `token=`. */
  static link(email: Email, path: string): URL {
    const match = new RegExp(`https?://\\S*${path.replace(/[/.]/g, '\\$&')}\\?token=[A-Za-z0-9_%-]+`).exec(email.text);
    if (!match) throw new Error(`no ${path} link in: ${email.text}`);
    return new URL(match[0]);
  }
}
