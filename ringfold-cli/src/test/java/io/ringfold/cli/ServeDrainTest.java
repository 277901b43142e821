package io.ringfold.cli;

import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferRequest.InferInputTensor;
import io.ringfold.serving.load.GrpcLoad;
import io.ringfold.serving.load.KeepAliveLoad;
import io.ringfold.serving.load.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM to a real {@code ringfold serve} process under keep-alive load on both protocols: every request
 * sent is answered 200, requests go on being served through the drain period, and the clients learn of the
 * shutdown only by their connections being closed after a reply and a new one refused. Before the drain
 * period and per-connection closing, the same load saw hundreds of 503s and requests with no answer.
 */
class ServeDrainTest {

    private static final String ROW = "[0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,"
            + "0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0]";

    @TempDir
    Path tmp;

    static ModelInferRequest grpcRow() {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (String v : ROW.substring(1, ROW.length() - 1).split(",")) {
            c.addFp32Contents(Float.parseFloat(v));
        }
        return ModelInferRequest.newBuilder().setModelName("digits").addInputs(InferInputTensor.newBuilder()
                .setName("input").setDatatype("FP32").addShape(1).addShape(64).setContents(c)).build();
    }

    static byte[] httpRow() {
        return RawHttp.request("POST", "/v2/models/digits/infer", "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 64], "
                + "\"datatype\": \"FP32\", \"data\": " + ROW + "}]}");
    }

    @Test
    void sigtermUnderKeepAliveLoadAnswersEveryRequestSent() throws Exception {
        Path repo = tmp.resolve("repo");
        CliRunner train = CliRunner.run("train", "--data", "digits", "--model", "mlp", "--hidden", "32", "--epochs", "1",
                "--seed", "3", "--out", repo.resolve("digits/1").toString());
        assertThat(train.status()).as(train.err()).isZero();
        try (ServerProcess server = ServerProcess.start(tmp.resolve("serve.log"), List.of("-Xmx256m"),
                "--repository", repo.toString(), "--poll-seconds", "0", "--drain-seconds", "2", "--grace-seconds", "10");
             KeepAliveLoad http = new KeepAliveLoad("127.0.0.1", server.httpPort, httpRow(), 6, Duration.ofSeconds(20));
             GrpcLoad grpc = new GrpcLoad("127.0.0.1", server.grpcPort, grpcRow(), 2, Duration.ofSeconds(20))) {
            assertThat(http.awaitOk(2000, Duration.ofSeconds(60))).as("HTTP warm-up: " + http.failures).isTrue();
            assertThat(grpc.awaitOk(500, Duration.ofSeconds(60))).as("gRPC warm-up: " + grpc.failures).isTrue();

            long httpBefore = http.ok.get();
            long grpcBefore = grpc.ok.get();
            long t0 = System.nanoTime();
            int status = server.terminate(Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(http.join(Duration.ofSeconds(10))).as("HTTP clients ended at a refused connection").isTrue();
            assertThat(grpc.join(Duration.ofSeconds(10))).as("gRPC clients ended at a refused connection").isTrue();
            System.out.println("SIGTERM under load: exit " + status + " after " + seconds + " s; HTTP " + http.byStatus()
                    + " (" + (http.ok.get() - httpBefore) + " after SIGTERM, " + http.reconnects + " reconnects), failed "
                    + http.failures.size() + "; gRPC ok " + grpc.ok + " (" + (grpc.ok.get() - grpcBefore)
                    + " after SIGTERM), failed " + grpc.failures.size());

            assertThat(status).as("exit status after SIGTERM (128 + 15); log:\n" + server.logText()).isEqualTo(143);
            assertThat(seconds).as("drain period served in full, then a prompt exit").isBetween(2.0, 15.0);
            assertThat(http.failures).as("HTTP requests sent and not answered 200").isEmpty();
            assertThat(grpc.failures).as("gRPC calls sent and not answered OK").isEmpty();
            assertThat(http.ok.get() - httpBefore).as("HTTP requests served after SIGTERM").isGreaterThan(100);
            assertThat(grpc.ok.get() - grpcBefore).as("gRPC calls served after SIGTERM").isGreaterThan(20);
            assertThat(http.refusedClients.get()).isEqualTo(6);
            assertThat(grpc.refusedClients.get()).isEqualTo(2);
            assertThat(server.logText()).contains("ringfold serve: draining").contains("ringfold serve: stopped");
        }
    }
}
