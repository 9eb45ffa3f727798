import { loadEnvOrExit } from '@thumbline/runtime';

/** The all-in-one process's settings, parsed once at start. */
export const env = loadEnvOrExit(process.env);
