/**
 * Run records: what each training run did (arguments, summary, per-epoch metrics, per-rank telemetry),
 * stored next to its model by {@link io.ringfold.runs.FileRunStore} behind the
 * {@link io.ringfold.runs.RunStore} interface.
 */
package io.ringfold.runs;
