import { loadEnvOrExit } from '@thumbline/runtime';

/** This role's settings, parsed once at start (see the README's configuration table). */
export const env = loadEnvOrExit(process.env);
