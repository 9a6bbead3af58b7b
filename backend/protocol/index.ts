export * from './probe';
export * from './evidence';
export * from './errors';
export * from './messages';
export * from './frame';
export * from './selector';
