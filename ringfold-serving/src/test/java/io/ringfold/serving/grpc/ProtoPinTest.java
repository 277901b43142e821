package io.ringfold.serving.grpc;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gRPC definition the server is built from is KServe's, token for token: the vendored upstream file
 * (src/test/resources/kserve/, unchanged, its hash pinned) against src/main/proto/, with comments and the
 * {@code java_*} options set aside. A renamed field, a changed number or type, a dropped RPC, any edit that
 * could break a KServe or Triton client, fails here.
 */
class ProtoPinTest {

    /**
     * SHA-256 of kserve/kserve's python/kserve/kserve/protocol/grpc/grpc_predict_v2.proto at aaac4e29
     * (src/test/resources/kserve/README.md).
     */
    private static final String UPSTREAM_SHA256 = "2661303b32e62dc473486d5839d150c869db9032182fbb71517ae09e92b892d6";
    private static final Pattern TOKEN = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|[A-Za-z_][A-Za-z0-9_.]*|\\d+|[^\\s\\w]");
    private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern JAVA_OPTION = Pattern.compile("option\\s+java_\\w+\\s*=\\s*[^;]*;");

    static List<String> tokens(String proto) {
        String code = JAVA_OPTION.matcher(COMMENT.matcher(proto).replaceAll(" ")).replaceAll(" ");
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(code);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void theServersProtoIsUpstreamsTokenForToken() throws Exception {
        byte[] upstream = Files.readAllBytes(Path.of("src/test/resources/kserve/grpc_predict_v2.proto"));
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upstream)))
                .as("the vendored upstream file is unchanged").isEqualTo(UPSTREAM_SHA256);
        String ours = Files.readString(Path.of("src/main/proto/grpc_predict_v2.proto"));
        List<String> expected = tokens(new String(upstream, StandardCharsets.UTF_8));
        assertThat(expected).contains("GRPCInferenceService", "raw_input_contents", "InferTensorContents",
                "RepositoryModelLoad", "isLoaded", "RepositoryModelUnload", "isUnloaded").hasSizeGreaterThan(300);
        assertThat(tokens(ours)).isEqualTo(expected);
        assertThat(ours).contains("option java_package = \"io.ringfold.serving.grpc.v2\";");
    }

    @Test
    void aChangedFieldNumberOrNameIsCaught() {
        String proto = "syntax = \"proto3\"; // c\npackage inference; message A { string name = 1; }";
        assertThat(tokens(proto.replace("= 1", "= 2"))).isNotEqualTo(tokens(proto));
        assertThat(tokens(proto.replace("name", "nom"))).isNotEqualTo(tokens(proto));
        assertThat(tokens(proto.replace("// c", "// other comment\noption java_package = \"x\";")))
                .isEqualTo(tokens(proto));
    }
}
