/**
 * How print and saveAsTextFiles show an element, the way Spark's toString shows it: strings as
 * they are, tuples (arrays) as `(a,b)`, nested tuples likewise, undefined as `None`-free `undefined`,
 * other objects as JSON.
 */
export function formatElement(x: unknown): string {
  switch (typeof x) {
    case 'string':
      return x;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(x);
    case 'object':
      if (x === null) return 'null';
      if (Array.isArray(x)) return `(${x.map(formatElement).join(',')})`;
      if (x instanceof Map) return `Map(${[...x].map(([k, v]) => `${formatElement(k)} -> ${formatElement(v)}`).join(', ')})`;
      if (x instanceof Date) return x.toISOString();
      if (Buffer.isBuffer(x)) return x.toString('utf8');
      try {
        return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      } catch {
        return String(x);
      }
    default:
      return String(x);
  }
}
