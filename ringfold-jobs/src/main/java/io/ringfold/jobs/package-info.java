/**
 * Training as a service, its domain: what a job asks for ({@link io.ringfold.jobs.JobSpec}), where it stands
 * ({@link io.ringfold.jobs.Job}, {@link io.ringfold.jobs.JobState} and the moves between states) and how it
 * ended ({@link io.ringfold.jobs.JobOutcome}). Values only; {@link io.ringfold.jobs.store} keeps them.
 */
package io.ringfold.jobs;
