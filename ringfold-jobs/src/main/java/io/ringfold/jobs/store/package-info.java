/**
 * The job store: every job's spec, state, owner, progress, result and log lines in one database, so a
 * restarted service loses nothing and several services can share the queue. {@link io.ringfold.jobs.store.JobStore}
 * is the contract; {@link io.ringfold.jobs.store.JdbcJobStore} keeps it in embedded H2 (the default, a file
 * under the data directory) or PostgreSQL, with the schema versioned by Flyway migrations
 * ({@code db/migration}). {@link io.ringfold.jobs.store.JobStores} opens one from a URL or a data directory.
 */
package io.ringfold.jobs.store;
