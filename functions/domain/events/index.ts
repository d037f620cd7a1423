export * from './errors.ts';
export * from './schemas.ts';
export * from './parse.ts';
export * from './alarms.ts';
export * from './stored.ts';
export * from './ownership.ts';
