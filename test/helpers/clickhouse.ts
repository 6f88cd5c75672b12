// The tests start the same local ClickHouse as the benchmarks and the scale-out demo.
export * from '../../src/local-servers/clickhouse.js';
