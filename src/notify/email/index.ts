// Email channel: SMTP through nodemailer with implicit TLS, STARTTLS (required or opportunistic)
// or plain, and optional authentication.
import { createTransport } from 'nodemailer';
import { invalid } from '../../errors.js';
import { optBool, optInt, optString, optStringList, rejectUnknown, reqString } from '../fields.js';
import { errorText } from '../http.js';
import { DeliveryError, type NotifyMessage, type Notifier } from '../types.js';

/** How the connection is secured: implicit TLS (port 465), STARTTLS required, STARTTLS if offered, or never. */
export type SmtpSecurity = 'tls' | 'starttls' | 'opportunistic' | 'none';

/** An email channel's settings. */
export interface EmailConfig {
  host: string;
  port: number;
  security: SmtpSecurity;
  user: string | null;
  password: string | null;
  from: string;
  to: string[];
  subjectPrefix: string;
  /** False accepts self-signed server certificates (test setups, private relays). */
  tlsRejectUnauthorized: boolean;
}

const SECURITIES: readonly SmtpSecurity[] = ['tls', 'starttls', 'opportunistic', 'none'];
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/** Error codes of nodemailer that retrying cannot fix (bad credentials, TLS not offered, refused envelope). */
const PERMANENT_SMTP_CODES = new Set(['EAUTH', 'ENOAUTH', 'ETLS', 'EENVELOPE']);

/** True when an SMTP failure will not go away by retrying: wrong credentials or a 5xx answer. */
export function isPermanentSmtpError(err: unknown): boolean {
  const e = err as { code?: unknown; responseCode?: unknown };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 && e.responseCode < 600;
  return typeof e.code === 'string' && PERMANENT_SMTP_CODES.has(e.code);
}

/** The email notifier. */
export const email = {
  type: 'email',
  secretFields: ['password'],
  parseConfig(raw: Record<string, unknown>): EmailConfig {
    rejectUnknown(raw, ['host', 'port', 'security', 'user', 'password', 'from', 'to', 'subject_prefix', 'tls_reject_unauthorized']);
    const security = optString(raw, 'security') ?? 'starttls';
    if (!SECURITIES.includes(security as SmtpSecurity)) throw invalid('security', `must be one of ${SECURITIES.join(', ')}`);
    const user = optString(raw, 'user') ?? null;
    const password = optString(raw, 'password') ?? null;
    if ((user === null) !== (password === null)) throw invalid(user === null ? 'user' : 'password', 'user and password go together');
    const from = reqString(raw, 'from');
    if (!ADDRESS.test(from.replace(/^.*<(.*)>\s*$/, '$1'))) throw invalid('from', 'is not an email address');
    const to = optStringList(raw, 'to');
    if (!to || to.length === 0) throw invalid('to', 'required, one or more addresses');
    to.forEach((a, i) => {
      if (!ADDRESS.test(a.replace(/^.*<(.*)>\s*$/, '$1'))) throw invalid(`to[${i}]`, 'is not an email address');
    });
    return {
      host: reqString(raw, 'host'),
      port: optInt(raw, 'port', 1, 65535) ?? (security === 'tls' ? 465 : 587),
      security: security as SmtpSecurity,
      user,
      password,
      from,
      to,
      subjectPrefix: optString(raw, 'subject_prefix') ?? '[Oversee] ',
      tlsRejectUnauthorized: optBool(raw, 'tls_reject_unauthorized') ?? true,
    };
  },
  async send(config: EmailConfig, message: NotifyMessage, ctx): Promise<void> {
    const transport = createTransport({
      host: config.host,
      port: config.port,
      secure: config.security === 'tls',
      requireTLS: config.security === 'starttls',
      ignoreTLS: config.security === 'none',
      auth: config.user !== null ? { user: config.user, pass: config.password ?? '' } : undefined,
      tls: { rejectUnauthorized: config.tlsRejectUnauthorized },
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
    });
    try {
      await transport.sendMail({
        from: config.from,
        to: config.to,
        subject: `${config.subjectPrefix}${message.subject}`,
        text: message.text,
        headers: { 'X-Oversee-State': message.state ?? 'none', 'X-Oversee-Events': message.events.map((e) => e.key).join(' ') },
      });
    } catch (err) {
      throw new DeliveryError(`SMTP ${config.host}:${config.port}: ${errorText(err)}`, isPermanentSmtpError(err));
    } finally {
      transport.close();
    }
  },
} satisfies Notifier<EmailConfig>;
