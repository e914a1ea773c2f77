import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePluginOutput, parsePerfDatum, type PerfDatum } from './nagios-perfdata.js';

// Outputs captured from Debian's monitoring-plugins-basic on this machine, plus guideline examples.
const REAL_OUTPUTS: Array<{ name: string; output: string; text: string; perfdata: PerfDatum[]; invalid?: string[] }> = [
  {
    name: 'check_load: three items with trailing semicolons and a trailing space',
    output: 'LOAD OK - total load average: 0.51, 0.35, 0.16|load1=0.510;5.000;10.000;0; load5=0.350;4.000;8.000;0; load15=0.160;3.000;6.000;0; \n',
    text: 'LOAD OK - total load average: 0.51, 0.35, 0.16',
    perfdata: [
      { label: 'load1', value: 0.51, uom: '', warn: '5.000', crit: '10.000', min: 0 },
      { label: 'load5', value: 0.35, uom: '', warn: '4.000', crit: '8.000', min: 0 },
      { label: 'load15', value: 0.16, uom: '', warn: '3.000', crit: '6.000', min: 0 },
    ],
  },
  {
    name: 'check_disk: label with a slash, bytes unit, min and max',
    output: 'DISK OK - free space: / 81287MiB (78% inode=97%);| /=23707254784B;216442024755;243497277849;0;270552530944\n',
    text: 'DISK OK - free space: / 81287MiB (78% inode=97%);',
    perfdata: [{ label: '/', value: 23707254784, uom: 'B', warn: '216442024755', crit: '243497277849', min: 0, max: 270552530944 }],
  },
  {
    name: 'check_procs: space before the bar',
    output: 'PROCS OK: 93 processes | procs=93;500;1000;0;\n',
    text: 'PROCS OK: 93 processes',
    perfdata: [{ label: 'procs', value: 93, uom: '', warn: '500', crit: '1000', min: 0 }],
  },
  {
    name: 'check_dummy: text only',
    output: 'WARNING: warn text\n',
    text: 'WARNING: warn text',
    perfdata: [],
  },
  {
    name: 'check_ping: ms and percent units',
    output: 'PING OK - Packet loss = 0%, RTA = 0.35 ms|rta=0.347000ms;100.000000;200.000000;0.000000 pl=0%;20;50;0;\n',
    text: 'PING OK - Packet loss = 0%, RTA = 0.35 ms',
    perfdata: [
      { label: 'rta', value: 0.347, uom: 'ms', warn: '100.000000', crit: '200.000000', min: 0 },
      { label: 'pl', value: 0, uom: '%', warn: '20', crit: '50', min: 0 },
    ],
  },
  {
    name: 'check_http style: seconds and bytes, ranges with colons',
    output: 'HTTP OK: HTTP/1.1 200 OK - 612 bytes in 0.001 second response time |time=0.001234s;;;0.000000;10.000000 size=612B;;;0\n',
    text: 'HTTP OK: HTTP/1.1 200 OK - 612 bytes in 0.001 second response time',
    perfdata: [
      { label: 'time', value: 0.001234, uom: 's', min: 0, max: 10 },
      { label: 'size', value: 612, uom: 'B', min: 0 },
    ],
  },
  {
    name: 'quoted label with spaces and an escaped quote, range syntax kept as written',
    output: "OK | 'free space'=10GB;@10:20;~:5 'it''s'=3c\n",
    text: 'OK',
    perfdata: [
      { label: 'free space', value: 10, uom: 'GB', warn: '@10:20', crit: '~:5' },
      { label: "it's", value: 3, uom: 'c' },
    ],
  },
  {
    name: 'long text with perfdata continuing on following lines (plugin guidelines example)',
    output: 'DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n/ 15272 MB (77%);\n/boot 68 MB (69%);\n/home 69357 MB (27%);\n/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n/home=69357MB;253404;253409;0;253414\n/var/log=818MB;970;975;0;980\n',
    text: 'DISK OK - free space: / 3326 MB (56%);\n/ 15272 MB (77%);\n/boot 68 MB (69%);\n/home 69357 MB (27%);\n/var/log 819 MB (84%);',
    perfdata: [
      { label: '/', value: 2643, uom: 'MB', warn: '5948', crit: '5958', min: 0, max: 5968 },
      { label: '/boot', value: 68, uom: 'MB', warn: '88', crit: '93', min: 0, max: 98 },
      { label: '/home', value: 69357, uom: 'MB', warn: '253404', crit: '253409', min: 0, max: 253414 },
      { label: '/var/log', value: 818, uom: 'MB', warn: '970', crit: '975', min: 0, max: 980 },
    ],
  },
  {
    name: 'unknown value U and garbage are reported invalid, good items kept',
    output: 'OK | a=U;1;2 b=5 junk c=1,5s\n',
    text: 'OK',
    perfdata: [{ label: 'b', value: 5, uom: '' }, { label: 'c', value: 1.5, uom: 's' }],
    invalid: ['a=U;1;2', 'junk'],
  },
  {
    name: 'negative and exponent values',
    output: 'OK|temp=-3.5;;;-40;85 big=1.5e3',
    text: 'OK',
    perfdata: [{ label: 'temp', value: -3.5, uom: '', min: -40, max: 85 }, { label: 'big', value: 1500, uom: '' }],
  },
];

for (const c of REAL_OUTPUTS) {
  test(`parsePluginOutput: ${c.name}`, () => {
    const got = parsePluginOutput(c.output);
    assert.equal(got.text, c.text);
    assert.deepEqual(got.perfdata, c.perfdata);
    assert.deepEqual(got.invalid, c.invalid ?? []);
  });
}

test('parsePerfDatum rejects a token without a value or with a bad unit', () => {
  for (const t of ['=5', 'x=', 'x=abc', "'unterminated=5", 'x=5;;', 'x=5 s']) {
    const d = parsePerfDatum(t);
    if (t === 'x=5;;') assert.deepEqual(d, { label: 'x', value: 5, uom: '' });
    else assert.equal(d, undefined, t);
  }
});

test('parsePluginOutput never throws and keeps every perfdatum finite (fuzz)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      const out = parsePluginOutput(s);
      for (const d of out.perfdata) {
        assert.ok(Number.isFinite(d.value));
        assert.ok(d.label.length > 0);
      }
    }),
    { numRuns: 2000 },
  );
});
