// How the stack logs, read once when the logger is made (before any config.toml is loaded).

export interface LogSettings {
  /** AGORA_LOG_LEVEL; `warn` under NODE_ENV=test, else `info`. */
  level: string;
  /** Pretty lines when a person watches a terminal; JSON in CI or with AGORA_LOG_FORMAT=json. */
  pretty: boolean;
}

export function logSettings(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stdout.isTTY)): LogSettings {
  return {
    level: env.AGORA_LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'warn' : 'info'),
    pretty: isTTY && !env.CI && env.AGORA_LOG_FORMAT !== 'json',
  };
}
