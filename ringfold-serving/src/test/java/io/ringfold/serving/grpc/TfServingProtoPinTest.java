package io.ringfold.serving.grpc;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TensorFlow Serving's protos and TensorFlow's are vendored unchanged (src/main/proto/README.md): every file
 * under src/main/proto/tensorflow_serving/ and src/main/proto/tensorflow/ has the SHA-256 that
 * src/test/resources/tensorflow/protos.sha256 pins, and no file is there that the list does not name. An edit,
 * however small, to a definition real TensorFlow Serving clients are built from fails here.
 */
class TfServingProtoPinTest {

    private static final Path PROTO = Path.of("src/main/proto");

    @Test
    void everyVendoredFileIsUpstreamsByteForByte() throws Exception {
        Map<String, String> pinned = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/tensorflow/protos.sha256"))) {
            String[] f = line.split("\\s+", 2);
            pinned.put(f[1], f[0]);
        }
        assertThat(pinned).containsKeys("tensorflow_serving/apis/prediction_service.proto",
                "tensorflow_serving/apis/model_service.proto", "tensorflow/core/framework/tensor.proto",
                "tensorflow/core/protobuf/meta_graph.proto", "tensorflow/core/example/example.proto");
        Map<String, String> actual = new TreeMap<>();
        for (Path p : protos()) {
            actual.put(PROTO.relativize(p).toString().replace('\\', '/'),
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
        }
        assertThat(actual).isEqualTo(pinned);
    }

    private static List<Path> protos() throws IOException {
        try (Stream<Path> a = Files.walk(PROTO.resolve("tensorflow_serving")); Stream<Path> b = Files.walk(PROTO.resolve("tensorflow"))) {
            return Stream.concat(a, b).filter(p -> p.toString().endsWith(".proto")).toList();
        }
    }
}
