/** Where a Node process opens its inspector, and which of its options said so. */
export interface InspectorAddress {
  readonly host: string;
  readonly port: number;
  /** `--inspect-port=9333 (command line)`, or `default` when no option sets it. */
  readonly setBy: string;
}

export const DEFAULT_INSPECTOR_ADDRESS: InspectorAddress = {
  host: '127.0.0.1',
  port: 9229,
  setBy: 'default',
};

// Options whose value may follow as the next argument; skipping it keeps a value such as a
// `--require` path from being read as the script that ends Node's own options.
const VALUE_OPTIONS = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--input-type',
  '--title',
  '--env-file',
  '--inspect-port',
  '--debug-port',
  '--stack-size',
  '--max-old-space-size',
]);

const ADDRESS_OPTIONS = new Set([
  '--inspect',
  '--inspect-brk',
  '--inspect-wait',
  '--inspect-port',
  '--debug-port',
]);

/**
 * Where a process's inspector opens when it gets SIGUSR1, read from its `--inspect*` options as
 * Node reads them: `NODE_OPTIONS` first, then the command line before the script; the last one wins.
 * `--inspect=9230`, `--inspect=0.0.0.0:9229`, `--inspect-port 9333`, `--inspect=[::1]:9229`,
 * `--inspect=localhost`; 127.0.0.1:9229 when none is given.
 *
 * @example
 * inspectorAddressFrom(['node', '--inspect-port=9333', 'server.js'], undefined);
 * // { host: '127.0.0.1', port: 9333, setBy: '--inspect-port=9333 (command line)' }
 */
export function inspectorAddressFrom(
  argv: readonly string[],
  nodeOptions: string | undefined,
): InspectorAddress {
  let address = DEFAULT_INSPECTOR_ADDRESS;
  const apply = (args: readonly string[], where: string) => {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--' || !arg.startsWith('-')) return;
      const equals = arg.indexOf('=');
      const name = equals < 0 ? arg : arg.slice(0, equals);
      let value = equals < 0 ? undefined : arg.slice(equals + 1);
      if (value === undefined && (name === '--inspect-port' || name === '--debug-port')) {
        value = args[i + 1];
        i++;
      } else if (value === undefined && VALUE_OPTIONS.has(name)) {
        i++;
      }
      if (!ADDRESS_OPTIONS.has(name) || value === undefined) continue;
      const parsed = parseHostPort(value, address);
      if (parsed !== undefined) {
        address = { ...parsed, setBy: `${name}=${value} (${where})` };
      }
    }
  };
  if (nodeOptions !== undefined) apply(splitNodeOptions(nodeOptions), 'NODE_OPTIONS');
  apply(argv.slice(1), 'command line');
  return address;
}

/** `9230`, `host`, `host:9230`, `[::1]:9230` as Node's `--inspect` parses them; `undefined` if malformed. */
function parseHostPort(
  value: string,
  previous: InspectorAddress,
): { host: string; port: number } | undefined {
  if (/^\d+$/.test(value)) return { host: previous.host, port: Number(value) };
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed !== null) {
    return { host: bracketed[1]!, port: bracketed[2] === undefined ? previous.port : Number(bracketed[2]) };
  }
  const colon = value.lastIndexOf(':');
  if (colon < 0) return value === '' ? undefined : { host: value, port: previous.port };
  const port = value.slice(colon + 1);
  if (!/^\d+$/.test(port)) return undefined;
  return { host: value.slice(0, colon) || previous.host, port: Number(port) };
}

/** `NODE_OPTIONS` splits on spaces; double quotes group, a backslash escapes inside them. */
export function splitNodeOptions(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted && char === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (char === '"') {
      quoted = !quoted;
      started = true;
    } else if (char === ' ' && !quoted) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

/** 127.0.0.0/8, `::1` and `localhost`: the only addresses memwatcher talks to an inspector on. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::ffff:127.0.0.1'
  );
}

/** The host as it goes into a URL: IPv6 in brackets, `localhost` as 127.0.0.1 (Node listens there for it). */
export function urlHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare.toLowerCase() === 'localhost') return '127.0.0.1';
  return bare.includes(':') ? `[${bare}]` : bare;
}
