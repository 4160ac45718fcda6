/**
 * The YouTube Data API v3 and Google OAuth 2.0 emulator; the implementation lives in ./youtube/.
 * See ./youtube/index.ts for what it serves and how to point the real clients at it.
 */
export * from './youtube/index.js';
