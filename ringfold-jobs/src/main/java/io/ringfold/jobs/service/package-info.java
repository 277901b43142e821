/**
 * The training job service: it takes jobs from the store's queue up to a number at a time and runs each on its
 * engine ({@link io.ringfold.jobs.service.JobRun}): a {@code ringfold train} (or {@code launch}) process here, or an
 * Indexed Job on Kubernetes through fabric8's client; their log and progress are kept in the store, those cancelled
 * stopped, a finished job's model published as the next version in the serving repository, and on a restart what it
 * ran before taken back (a Kubernetes Job still running is followed again). Depends on the store only; the HTTP API
 * sits in front of it.
 */
package io.ringfold.jobs.service;
