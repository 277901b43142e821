package io.ringfold.serving.inference;

import java.util.List;

/**
 * The Open Inference Protocol extensions this server implements, as its server metadata lists them: over HTTP
 * ({@code GET /v2}) and over gRPC (ServerMetadata) alike, from this one list, so a client sees the same
 * server whichever protocol it asks. An extension is listed once both front ends serve what it names or it
 * concerns one protocol only, as Triton lists them.
 */
public final class ProtocolExtensions {

    /**
     * {@code model_repository}: repository index, load and unload (HTTP {@code /v2/repository/...}, gRPC
     * RepositoryModelLoad and RepositoryModelUnload); {@code binary_tensor_data}: tensors as bytes after the JSON
     * over HTTP (gRPC's raw contents are the protocol's own); {@code model_configuration}:
     * {@code GET /v2/models/{m}/config}; {@code statistics}: {@code GET /v2/models[/{m}]/stats}. The last three
     * concern HTTP only, as Triton lists them for both protocols.
     */
    public static final List<String> ALL = List.of("model_repository", "binary_tensor_data", "model_configuration",
            "statistics");

    private ProtocolExtensions() {
    }
}
