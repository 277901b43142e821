/**
 * The training job service: it takes jobs from the store's queue up to a number at a time, runs each as a
 * {@code ringfold train} (or {@code launch}) process with its log and progress kept in the store, stops those
 * cancelled, publishes a finished job's model as the next version in the serving repository, and on a
 * restart takes back what it ran before. Depends on the store only; the HTTP API sits in front of it.
 */
package io.ringfold.jobs.service;
