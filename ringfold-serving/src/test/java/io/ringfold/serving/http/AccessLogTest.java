package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.io.Writer;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogTest {

    private static AccessRecord record(String path) {
        return new AccessRecord(0, "10.0.0.1:5000", "GET", path, 200, 0, 2, 10, null, null, null);
    }

    /** A writer that holds the log's thread inside its first write until released. */
    private static final class StuckWriter extends Writer {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final StringWriter text = new StringWriter();

        @Override
        public void write(char[] buf, int off, int len) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            text.write(buf, off, len);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        StuckWriter out = new StuckWriter();
        AccessLog log = new AccessLog(1, out);
        log.log(record("/a"));
        out.entered.await(); // the writer thread holds /a, the queue is empty
        log.log(record("/b")); // fills the queue
        log.log(record("/c")); // dropped
        log.log(record("/d")); // dropped
        assertThat(log.dropped()).isEqualTo(2);
        out.release.countDown();
        log.close();
        assertThat(out.text.toString()).contains("\"path\":\"/a\"").contains("\"path\":\"/b\"")
                .doesNotContain("/c").doesNotContain("/d");
    }

    @Test
    void clientChosenStringsAreEscapedAndBounded() throws Exception {
        String path = "/x\n{\"status\":200}" + "y".repeat(2000);
        String line = new AccessRecord(1_700_000_000_123L, "h", "GET", path, 404, 0, 0, 5, null, null, "id\r\n").toJson();
        assertThat(line).doesNotContain("\n").doesNotContain("\r");
        JsonNode n = new ObjectMapper().readTree(line);
        assertThat(n.get("status").asInt()).isEqualTo(404);
        assertThat(n.get("path").asText()).hasSize(AccessRecord.MAX_FIELD + 3).startsWith("/x\n{");
        assertThat(n.get("request_id").asText()).isEqualTo("id\r\n");
        assertThat(n.get("time").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
    }

    @Test
    void modelAndVersionComeFromEveryModelPath() {
        assertThat(AccessRecord.modelAndVersion("/v1/models/iris:predict")).containsExactly("iris", null);
        assertThat(AccessRecord.modelAndVersion("/v1/models/iris/versions/3:predict")).containsExactly("iris", "3");
        assertThat(AccessRecord.modelAndVersion("/v1/models/iris/labels/stable")).containsExactly("iris", null);
        assertThat(AccessRecord.modelAndVersion("/v2/models/iris/versions/2/infer")).containsExactly("iris", "2");
        assertThat(AccessRecord.modelAndVersion("/v2/repository/models/iris/load")).containsExactly("iris", null);
        assertThat(AccessRecord.modelAndVersion("/v2/health/live")).containsExactly(null, null);
        assertThat(AccessRecord.modelAndVersion("/v2/models/")).containsExactly(null, null);
    }
}
