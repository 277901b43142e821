// Extracts the Kubernetes API JSON schemas that DeploymentSchemaTest validates against from the npm package
// kubernetes-models 3.1.0 (MIT; generated from the Kubernetes OpenAPI document, Apache-2.0), the last
// release that ships the schemas as JSON literals rather than compiled validators. README.md beside this
// file says how to rerun it.
//
// Each schema file of the package calls register(id, schema) from @kubernetes-models/validate; this script
// replaces that module by one that records the calls, then loads the top-level kinds listed below (their
// addSchema() registers everything they refer to). The output is one JSON Schema (draft-07) document:
//   - "$ref": "ID#" becomes "#/definitions/ID";
//   - "nullable": true becomes a type that also allows null (OpenAPI 3.0 to JSON Schema);
//   - strict, as kubeconform -strict: an object schema with "properties" and no "additionalProperties"
//     gets "additionalProperties": false, so a misspelt or misplaced field is an error, as the API server's
//     strict field validation (kubectl apply --validate=strict) makes it.
const Module = require("module");
const fs = require("fs");
const path = require("path");

const registered = {};
const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === "@kubernetes-models/validate") {
    return { register: (id, schema) => { registered[id] = schema; } };
  }
  return originalLoad.apply(this, arguments);
};

// apiVersion/kind -> the package's schema module.
const KINDS = {
  "v1/ConfigMap": "IoK8sApiCoreV1ConfigMap",
  "v1/PersistentVolumeClaim": "IoK8sApiCoreV1PersistentVolumeClaim",
  "v1/Pod": "IoK8sApiCoreV1Pod",
  "v1/Secret": "IoK8sApiCoreV1Secret",
  "v1/Service": "IoK8sApiCoreV1Service",
  "v1/ServiceAccount": "IoK8sApiCoreV1ServiceAccount",
  "apps/v1/Deployment": "IoK8sApiAppsV1Deployment",
  "autoscaling/v2/HorizontalPodAutoscaler": "IoK8sApiAutoscalingV2HorizontalPodAutoscaler",
  "batch/v1/Job": "IoK8sApiBatchV1Job",
  "networking.k8s.io/v1/NetworkPolicy": "IoK8sApiNetworkingV1NetworkPolicy",
  "policy/v1/PodDisruptionBudget": "IoK8sApiPolicyV1PodDisruptionBudget",
  "rbac.authorization.k8s.io/v1/Role": "IoK8sApiRbacV1Role",
  "rbac.authorization.k8s.io/v1/RoleBinding": "IoK8sApiRbacV1RoleBinding",
};

const root = path.join(process.cwd(), "node_modules", "kubernetes-models");
const kinds = {};
for (const [kind, file] of Object.entries(KINDS)) {
  require(path.join(root, "_schemas", file + ".js")).addSchema();
  kinds[kind] = "#/definitions/" + Object.keys(registered).find((id) =>
      id.replace(/[.\-]/g, "").toLowerCase() === file.toLowerCase());
}

function convert(node) {
  if (Array.isArray(node)) {
    return node.map(convert);
  }
  if (node === null || typeof node !== "object") {
    return node;
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref") {
      out[key] = "#/definitions/" + value.replace(/#$/, "");
    } else if (key !== "nullable") {
      out[key] = convert(value);
    }
  }
  if (node.nullable === true && typeof node.type === "string") {
    out.type = [node.type, "null"];
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

const definitions = {};
for (const id of Object.keys(registered).sort()) {
  definitions[id] = convert(registered[id]);
}
const version = require(path.join(root, "package.json")).version;
process.stdout.write(JSON.stringify({
  $schema: "http://json-schema.org/draft-07/schema#",
  $comment: "Kubernetes API schemas from the npm package kubernetes-models " + version
      + " (MIT), converted by extract.js: see README.md beside this file.",
  kinds,
  definitions,
}, null, 1) + "\n");
