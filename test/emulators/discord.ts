/**
 * The Discord emulator (REST and gateway) for tests with the real discord.js; the code lives in
 * ./discord/, this is the import path tests use.
 */
export * from './discord/index.js';
