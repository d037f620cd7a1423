export * from './errors.ts';
export * from './document.ts';
export * from './builder.ts';
export * from './cycles.ts';
export * from './csv.ts';
