/**
 * Every secret Ontact reads. They come only from the environment: a configuration file that
 * names one is rejected, and they are redacted wherever configuration or logs are printed.
 */
export const SECRET_ENV = {
  facebookPageAccessToken: 'FACEBOOK_PAGE_ACCESS_TOKEN',
  facebookAppSecret: 'FACEBOOK_APP_SECRET',
  facebookVerifyToken: 'FACEBOOK_VERIFY_TOKEN',
  youtubeClientId: 'YOUTUBE_CLIENT_ID',
  youtubeClientSecret: 'YOUTUBE_CLIENT_SECRET',
  youtubeRefreshToken: 'YOUTUBE_REFRESH_TOKEN',
  discordBotToken: 'DISCORD_BOT_TOKEN',
  work24JobsAuthKey: 'WORK24_JOBS_AUTH_KEY',
  work24TrainingAuthKey: 'WORK24_TRAINING_AUTH_KEY',
  dataKey: 'ONTACT_DATA_KEY',
} as const;

export type SecretName = keyof typeof SECRET_ENV;
export type Secrets = Partial<Record<SecretName, string>>;

export function readSecrets(env: NodeJS.ProcessEnv): Secrets {
  const secrets: Secrets = {};
  for (const [name, variable] of Object.entries(SECRET_ENV) as [SecretName, string][]) {
    const value = env[variable]?.trim();
    if (value) secrets[name] = value;
  }
  return secrets;
}

export const REDACTED = '[redacted]';

/** Replaces the password part of a connection URL, which may itself be a secret. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = REDACTED;
    for (const key of [...parsed.searchParams.keys()]) {
      if (/key|token|secret|password/i.test(key)) parsed.searchParams.set(key, REDACTED);
    }
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, `//${REDACTED}@`);
  }
}

/** Pino redaction paths for anything that may carry a secret. */
export const LOG_REDACT_PATHS = [
  'secrets',
  '*.secrets',
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'authKey',
  '*.authKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
];
