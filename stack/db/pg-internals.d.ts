// node-postgres's own value serialisation (Date, Buffer, arrays, objects → wire text), used so a
// hand-built pipeline binds parameters exactly as `client.query` does.
declare module 'pg/lib/utils.js' {
  export function prepareValue(value: unknown): string | Buffer | null;
}
