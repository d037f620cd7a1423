export * from './kinds.ts';
export * from './planning.ts';
export * from './quiet-hours.ts';
export * from './templates.ts';
export * from './briefings.ts';
export * from './schedule.ts';
export * from './jobs.ts';
