/**
 * Where alert messages go: a Slack incoming webhook (an HTTPS POST of `{text}`) and SMTP e-mail (nodemailer).
 * A notifier throws when delivery failed, so the alerter can keep the message and try again.
 */
import nodemailer from 'nodemailer';
import { request } from 'undici';
import type { AlertMessage } from './message.js';

export interface Notifier {
  readonly name: string;
  send(message: AlertMessage): Promise<void>;
  close?(): void;
}

export class NotifyError extends Error {}

export interface SlackOptions {
  webhookUrl: string;
  /** @default 10_000 */ timeoutMs?: number;
}

export function createSlackNotifier({ webhookUrl, timeoutMs = 10_000 }: SlackOptions): Notifier {
  return {
    name: 'slack',
    async send({ subject, text }) {
      const response = await request(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `*${subject}*\n${text}` }),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const body = await response.body.text();
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw new NotifyError(`slack webhook answered ${response.statusCode}: ${body.slice(0, 200)}`);
      }
    },
  };
}

export interface EmailOptions {
  /** smtp://user:pass@host:587 or smtps://… */
  smtpUrl: string;
  from: string;
  to: string[];
  /** @default 10_000 */ timeoutMs?: number;
}

export function createEmailNotifier({ smtpUrl, from, to, timeoutMs = 10_000 }: EmailOptions): Notifier {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  return {
    name: 'email',
    async send({ subject, text }) {
      await transport.sendMail({ from, to, subject, text });
    },
    close: () => transport.close(),
  };
}
