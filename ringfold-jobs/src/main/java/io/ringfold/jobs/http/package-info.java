/**
 * The job service's REST API, {@code /api/v1/jobs}, on the JDK's HTTP server: submit, list and filter,
 * status, logs (paged, or followed as Server-Sent Events), cancel and retry; bearer-token authentication; one
 * JSON error line per refusal with the status a client's mistake deserves (400, 401, 404, 405, 409, 413, 503
 * with Retry-After). The contract is docs/openapi/jobs.yaml.
 */
package io.ringfold.jobs.http;
