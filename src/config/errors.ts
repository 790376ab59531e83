/** A value that does not fit its parameter; the message is Redis's (`argument must be ...`). */
export class ConfigError extends Error {}
