export * from './state.ts';
export * from './receipts.ts';
export * from './channels.ts';
export * from './sending.ts';
export * from './fallback.ts';
