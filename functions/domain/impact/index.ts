export * from './propagate.ts';
export * from './customers.ts';
export * from './assess.ts';
