// The tests start the same local nats-server as the benchmarks and the scale-out demo.
export * from '../../src/local-servers/nats.js';
