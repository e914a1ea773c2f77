// goma `mail` action over SMTP (nodemailer): `to` gets every event, `init_to`/`fail_to`/`recover_to`
// only theirs; `bcc` is added to all. `subject` and `body` are templates with {{.Monitor}},
// {{.Event}}, {{.Value}}, {{.Duration}}, {{.Version}}. `server` is host[:port] (default localhost:25).
import nodemailer from 'nodemailer';
import { checkParams, errorAt, type ParamSchema } from '../../protocols/goma-monitor.js';
import { VERSION } from '../../version.js';
import { formatValue, type ActionFactory, type MonitorEvent } from './types.js';

const SCHEMA = {
  from: { type: 'string', required: true },
  to: { type: 'string[]' },
  init_to: { type: 'string[]' },
  fail_to: { type: 'string[]' },
  recover_to: { type: 'string[]' },
  bcc: { type: 'string[]' },
  subject: { type: 'string' },
  body: { type: 'string' },
  server: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  header: { type: 'string-map' },
} as const satisfies ParamSchema;

const DEFAULT_SUBJECT = '[oversee] {{.Monitor}}: {{.Event}}';
const DEFAULT_BODY = 'Monitor: {{.Monitor}}\nEvent: {{.Event}}\nValue: {{.Value}}\nDuration: {{.Duration}} s\nVersion: {{.Version}}\n';

/** Fills goma-style `{{.Field}}` placeholders. */
export function renderTemplate(tpl: string, ev: MonitorEvent): string {
  const fields: Record<string, string> = {
    Monitor: ev.monitor, Event: ev.event, Version: VERSION,
    Value: ev.value === undefined ? '' : formatValue(ev.value),
    Duration: ev.durationS === undefined ? '' : String(ev.durationS),
  };
  return tpl.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (m, name: string) => fields[name] ?? m);
}

/** The mail action. */
export const mailAction = {
  type: 'mail',
  create(params, origin, path) {
    const p = checkParams(params, SCHEMA, origin, path);
    const [host = 'localhost', portRaw = '25'] = (p.server ?? 'localhost:25').split(':');
    const port = Number(portRaw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw errorAt(origin, `${path}.server`, `bad port in ${JSON.stringify(p.server)}`);
    const transport = nodemailer.createTransport({
      host, port, secure: port === 465,
      ...(p.user !== undefined ? { auth: { user: p.user, pass: p.password ?? '' } } : {}),
      tls: { rejectUnauthorized: false },
    });
    return {
      describe: () => `action:mail:${host}:${port}`,
      async handle(ev) {
        const to = [...(p.to ?? []), ...((ev.event === 'init' ? p.init_to : ev.event === 'fail' ? p.fail_to : p.recover_to) ?? [])];
        if (to.length === 0) return;
        await transport.sendMail({
          from: p.from, to, bcc: p.bcc, headers: p.header,
          subject: renderTemplate(p.subject ?? DEFAULT_SUBJECT, ev),
          text: renderTemplate(p.body ?? DEFAULT_BODY, ev),
        });
      },
    };
  },
} satisfies ActionFactory;
